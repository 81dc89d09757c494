namespace UrlSessions.IntegrationTests.Tasks;

public sealed class SuspendResumeTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    private static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task Suspend_stops_data_events_and_Resume_continues_to_completion()
    {
        await using var slow = await SlowTransfer.StartAsync(server);
        var (gate, recorder, task) = slow;

        await gate.Send(LoopbackEndpoints.Pattern(1000)).Within();
        await recorder.DataReached(1000).Within();

        task.Suspend();
        task.State.Should().Be(SessionTaskState.Suspended);
        var delivered = recorder.DataReached(1001);
        await gate.Send(LoopbackEndpoints.Pattern(2000)).Within();
        (await delivered.StaysQuiet(QuietWindow)).Should().BeTrue("no data event may arrive while the task is suspended");
        recorder.DataLength.Should().Be(1000);

        task.Resume();
        task.State.Should().Be(SessionTaskState.Running);
        await recorder.DataReached(3000).Within();
        gate.End();
        (await recorder.Completed.Within()).Should().BeNull();
        recorder.DataLength.Should().Be(3000);
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Suspend_twice_then_one_Resume_continues()
    {
        await using var slow = await SlowTransfer.StartAsync(server);
        var (gate, recorder, task) = slow;

        task.Suspend();
        task.Suspend();
        await gate.Send(new byte[10]).Within();
        task.Resume();
        await recorder.DataReached(10).Within();
        gate.End();
        (await recorder.Completed.Within()).Should().BeNull();
    }

    [Fact]
    public async Task Cancel_mid_body_completes_with_Cancelled_exactly_once()
    {
        await using var slow = await SlowTransfer.StartAsync(server);
        var (gate, recorder, task) = slow;
        await gate.Send(new byte[500]).Within();
        await recorder.DataReached(500).Within();

        task.Cancel();
        task.Cancel();
        var error = await recorder.Completed.Within();
        await task.Completion.Within();

        error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.State.Should().Be(SessionTaskState.Completed);
        recorder.CompletionCount.Should().Be(1);
        recorder.Names.Count(e => e == "complete").Should().Be(1);
    }

    [Fact]
    public async Task A_cancelled_task_cannot_be_resumed()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);
        var task = session.CreateDataTask(server.HttpUrl("/hello"));

        task.Cancel();
        task.Resume();
        var error = await recorder.Completed.Within();

        error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.Names.Should().NotContain("response");
    }

    [Fact]
    public async Task Cancelling_the_token_of_DataAsync_throws_Cancelled()
    {
        var id = GateRegistry.NewId();
        var stall = server.Gates.Stall(id);
        await using var session = TestSessions.Ephemeral();
        using var cts = new CancellationTokenSource();

        var load = session.DataAsync(server.HttpUrl($"/stall?id={id}"), cancellationToken: cts.Token);
        await stall.Started.Within();
        await cts.CancelAsync();

        var error = await FluentActions.Awaiting(() => load.Within()).Should().ThrowAsync<UrlError>();
        error.Which.Code.Should().Be(UrlErrorCode.Cancelled);
        await stall.Ended.Within();
    }
}
