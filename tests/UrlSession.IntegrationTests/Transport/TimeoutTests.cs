using Microsoft.Extensions.Time.Testing;

namespace UrlSessions.IntegrationTests.Transport;

public sealed class TimeoutTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    private readonly FakeTimeProvider _clock = new();

    /// <summary>Runs the session on the fake clock with these timeouts, so the tests decide when time passes.</summary>
    private Action<SessionConfiguration> OnFakeClock(TimeSpan request, TimeSpan? resource = null) => c =>
    {
        c.TimeProvider = _clock;
        c.TimeoutIntervalForRequest = request;
        if (resource is { } limit)
        {
            c.TimeoutIntervalForResource = limit;
        }
    };

    [Fact]
    public async Task A_stalled_body_times_out_after_the_request_timeout()
    {
        var id = GateRegistry.NewId();
        var stall = server.Gates.Stall(id);
        await using var session = TestSessions.Ephemeral(configure: c => c.TimeoutIntervalForRequest = TimeSpan.FromMilliseconds(300));

        var error = (await FluentActions.Awaiting(() => session.DataAsync(server.HttpUrl($"/stall?id={id}")).Within())
            .Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.TimedOut);
        error.FailingUrl.Should().Be(server.HttpUrl($"/stall?id={id}"));
        stall.Started.IsCompleted.Should().BeTrue();
        await stall.Ended.Within();
    }

    [Fact]
    public async Task Idle_timeout_with_a_fake_clock_fires_only_after_the_interval()
    {
        var id = GateRegistry.NewId();
        var stall = server.Gates.Stall(id);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder, OnFakeClock(request: TimeSpan.FromSeconds(10)));
        var task = session.CreateDataTask(server.HttpUrl($"/stall?id={id}"));
        task.Resume();
        await recorder.DataReached(100).Within();

        _clock.Advance(TimeSpan.FromSeconds(9));
        task.State.Should().Be(SessionTaskState.Running);
        _clock.Advance(TimeSpan.FromSeconds(1));

        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.TimedOut);
        await stall.Ended.Within();
    }

    [Fact]
    public async Task The_request_timeout_interval_overrides_the_sessions()
    {
        var id = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder, OnFakeClock(request: TimeSpan.FromSeconds(5)));
        var task = session.CreateDataTask(new UrlRequest(server.HttpUrl($"/stall?id={id}")) { TimeoutInterval = TimeSpan.FromSeconds(100) });
        task.Resume();
        await recorder.DataReached(100).Within();

        _clock.Advance(TimeSpan.FromSeconds(50));
        task.State.Should().Be(SessionTaskState.Running, "the request's 100 s wins over the session's 5 s");
        _clock.Advance(TimeSpan.FromSeconds(50));

        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.TimedOut);
    }

    [Fact]
    public async Task A_shorter_request_timeout_interval_overrides_the_sessions()
    {
        var id = GateRegistry.NewId();
        await using var session = TestSessions.Ephemeral();
        var request = new UrlRequest(server.HttpUrl($"/stall?id={id}")) { TimeoutInterval = TimeSpan.FromMilliseconds(300) };

        var error = (await FluentActions.Awaiting(() => session.DataAsync(request).Within()).Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.TimedOut);
    }

    [Fact]
    public async Task The_resource_timeout_bounds_the_whole_task_even_while_data_flows()
    {
        await using var slow = await SlowTransfer.StartAsync(server, OnFakeClock(request: TimeSpan.FromSeconds(10), resource: TimeSpan.FromSeconds(30)));
        var (gate, recorder, task) = slow;

        // Data keeps arriving every 8 s, so the idle timeout never fires; the resource timeout does at 30 s.
        for (var i = 1; i <= 3; i++)
        {
            await gate.Send(new byte[10]).Within();
            await recorder.DataReached(10 * i).Within();
            _clock.Advance(TimeSpan.FromSeconds(8));
            task.State.Should().Be(SessionTaskState.Running);
        }

        await gate.Send(new byte[10]).Within();
        await recorder.DataReached(40).Within();
        _clock.Advance(TimeSpan.FromSeconds(6));

        var error = await recorder.Completed.Within();
        error!.Code.Should().Be(UrlErrorCode.TimedOut);
        error.Message.Should().Contain("resource");
    }

    [Fact]
    public async Task A_suspended_task_does_not_hit_the_idle_timeout()
    {
        await using var slow = await SlowTransfer.StartAsync(server, OnFakeClock(request: TimeSpan.FromSeconds(10)));
        var (gate, recorder, task) = slow;

        task.Suspend();
        _clock.Advance(TimeSpan.FromSeconds(60));
        task.State.Should().Be(SessionTaskState.Suspended);
        task.Resume();
        await gate.Send(new byte[5]).Within();
        await recorder.DataReached(5).Within();
        gate.End();

        (await recorder.Completed.Within()).Should().BeNull();
    }
}
