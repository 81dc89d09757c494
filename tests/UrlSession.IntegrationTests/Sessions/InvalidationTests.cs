namespace UrlSessions.IntegrationTests.Sessions;

public sealed class InvalidationTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    /// <summary>A recording session (left for the test to invalidate) with one data task the server holds mid-body.</summary>
    private async Task<(UrlSession Session, RecordingDelegate Recorder, DataTask Task, StallGate Stall)> StartStalledAsync()
    {
        var id = GateRegistry.NewId();
        var stall = server.Gates.Stall(id);
        var recorder = new RecordingDelegate();
        var session = TestSessions.Ephemeral(recorder);
        var task = session.CreateDataTask(server.HttpUrl($"/stall?id={id}"));
        task.Resume();
        await stall.Started.Within();
        return (session, recorder, task, stall);
    }

    [Fact]
    public async Task FinishTasksAndInvalidate_lets_running_tasks_finish_then_becomes_invalid_once()
    {
        var (session, recorder, task, stall) = await StartStalledAsync();

        session.FinishTasksAndInvalidate();
        session.FinishTasksAndInvalidate();
        FluentActions.Invoking(() => session.CreateDataTask(server.HttpUrl("/hello"))).Should().Throw<InvalidOperationException>();
        await FluentActions.Awaiting(() => session.DataAsync(server.HttpUrl("/hello"))).Should().ThrowAsync<InvalidOperationException>();
        task.State.Should().Be(SessionTaskState.Running);
        recorder.Invalidated.IsCompleted.Should().BeFalse();

        stall.Release();
        (await recorder.Completed.Within()).Should().BeNull();
        await recorder.Invalidated.Within();

        recorder.DataLength.Should().Be(200);
        recorder.Names.Should().EndWith(["complete", "invalid"]);
        await session.DisposeAsync();
        recorder.InvalidationCount.Should().Be(1);
    }

    [Fact]
    public async Task InvalidateAndCancel_cancels_running_tasks_then_becomes_invalid()
    {
        var (session, recorder, _, stall) = await StartStalledAsync();

        session.InvalidateAndCancel();

        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.Cancelled);
        await recorder.Invalidated.Within();
        await stall.Ended.Within();
        recorder.InvalidationCount.Should().Be(1);
        FluentActions.Invoking(() => session.CreateDataTask(server.HttpUrl("/hello"))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task DisposeAsync_waits_for_running_tasks_and_the_invalid_event()
    {
        var (session, recorder, _, stall) = await StartStalledAsync();

        var disposing = session.DisposeAsync().AsTask();
        (await disposing.StaysQuiet(TimeSpan.FromMilliseconds(200))).Should().BeTrue("a running task keeps the session alive");
        stall.Release();
        await disposing.Within();

        recorder.Names.Should().EndWith(["complete", "invalid"]);
    }

    [Fact]
    public async Task DisposeAsync_cancels_tasks_that_were_never_resumed()
    {
        var recorder = new RecordingDelegate();
        var session = TestSessions.Ephemeral(recorder);
        session.CreateDataTask(server.HttpUrl("/hello"));

        await session.DisposeAsync().AsTask().Within();

        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.InvalidationCount.Should().Be(1);
    }

    [Fact]
    public async Task The_shared_session_cannot_be_invalidated()
    {
        UrlSession.Shared.FinishTasksAndInvalidate();
        UrlSession.Shared.InvalidateAndCancel();

        var (data, _) = await UrlSession.Shared.DataAsync(server.HttpUrl("/hello")).Within();

        data.Should().Equal("hello"u8.ToArray());
    }
}
