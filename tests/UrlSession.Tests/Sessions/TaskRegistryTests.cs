namespace UrlSessions.Tests.Sessions;

public sealed class TaskRegistryTests
{
    [Fact]
    public async Task Once_invalidation_began_a_new_task_is_refused_even_if_it_passed_the_sessions_check()
    {
        // The race this closes: CreateDataTask passed the session's invalidation check, then the last task left and
        // DidBecomeInvalid was sent; a task added now would run on a disposed transport, after DidBecomeInvalid.
        await using var session = new UrlSession(SessionConfiguration.Ephemeral);
        var registry = new TaskRegistry();
        var emptied = 0;
        registry.WhenEmpty(() => emptied++);

        var late = session.CreateDataTask(new Uri("http://127.0.0.1/late"));

        emptied.Should().Be(1);
        registry.TryAdd(late).Should().BeFalse();
        registry.Snapshot().Should().BeEmpty();
    }

    [Fact]
    public async Task While_invalidation_waits_for_running_tasks_an_adopted_task_still_joins_and_is_waited_for()
    {
        await using var session = new UrlSession(SessionConfiguration.Ephemeral);
        var registry = new TaskRegistry();
        var running = session.CreateDataTask(new Uri("http://127.0.0.1/running"));
        var adopted = session.CreateDownloadTask(new Uri("http://127.0.0.1/adopted"));
        registry.TryAdd(running).Should().BeTrue();
        var emptied = 0;
        registry.WhenEmpty(() => emptied++);

        registry.TryAdd(session.CreateDataTask(new Uri("http://127.0.0.1/new"))).Should().BeFalse("a new task is refused once invalidation began");
        registry.TryAdd(adopted, whileClosing: true).Should().BeTrue();
        registry.Remove(running);
        emptied.Should().Be(0, "the adopted task still runs");
        registry.Remove(adopted);
        emptied.Should().Be(1);
    }
}
