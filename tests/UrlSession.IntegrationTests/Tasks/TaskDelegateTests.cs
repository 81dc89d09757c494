using Microsoft.Extensions.Time.Testing;

namespace UrlSessions.IntegrationTests.Tasks;

public sealed class TaskDelegateTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task A_per_task_delegate_wins_over_the_sessions_for_the_events_it_implements()
    {
        var sessionDelegate = new RecordingDelegate();
        var own = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(sessionDelegate);
        var task = session.CreateDataTask(server.HttpUrl("/bytes/10"));
        task.Delegate = own;
        task.Resume();

        await own.Completed.Within();
        await task.Completion.Within();

        own.Names.Should().Equal("response", "data", "complete");
        sessionDelegate.Names.Should().BeEmpty();
    }

    [Fact]
    public async Task Metrics_are_collected_for_each_transaction()
    {
        var collector = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral();

        await session.DataAsync(server.HttpUrl("/redirect/302?to=%2Fhello"), collector).Within();

        await collector.Heard("metrics").Within();
        var metrics = collector.Metrics[0];
        metrics.RedirectCount.Should().Be(1);
        metrics.Transactions.Should().HaveCount(2);
        metrics.Transactions[^1].Response!.StatusCode.Should().Be(200);
    }

    [Fact]
    public async Task EarliestBeginDate_holds_the_request_until_the_clock_reaches_it()
    {
        var probe = GateRegistry.NewId();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder, c => c.TimeProvider = clock);
        var task = session.CreateDataTask(server.HttpUrl($"/hello?probe={probe}"));
        task.EarliestBeginDate = clock.GetUtcNow().AddMinutes(5);
        task.Resume();

        (await recorder.Completed.StaysQuiet(TimeSpan.FromMilliseconds(300))).Should().BeTrue();
        server.Gates.Hits(probe).Should().Be(0);
        clock.Advance(TimeSpan.FromMinutes(5));

        (await recorder.Completed.Within()).Should().BeNull();
        server.Gates.Hits(probe).Should().Be(1);
    }
}
