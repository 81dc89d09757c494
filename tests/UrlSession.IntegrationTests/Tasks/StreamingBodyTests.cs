namespace UrlSessions.IntegrationTests.Tasks;

public sealed class StreamingBodyTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task BytesAsync_returns_at_the_response_and_streams_chunks_as_the_server_sends_them()
    {
        var id = GateRegistry.NewId();
        var gate = server.Gates.Slow(id);
        await using var session = TestSessions.Ephemeral();

        var (response, body) = await session.BytesAsync(server.HttpUrl($"/slow?id={id}")).Within();
        await using (body)
        {
            ((HttpUrlResponse)response).StatusCode.Should().Be(200);
            await gate.Send(LoopbackEndpoints.Pattern(300)).Within();
            var first = new byte[300];
            await body.ReadExactlyAsync(first).AsTask().Within();
            first.Should().Equal(LoopbackEndpoints.Pattern(300));

            gate.End();
            (await body.ReadAsync(new byte[10]).AsTask().Within()).Should().Be(0);
        }
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_early_cancels_the_task()
    {
        var id = GateRegistry.NewId();
        var stall = server.Gates.Stall(id);
        var observer = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral();

        var (_, body) = await session.BytesAsync(server.HttpUrl($"/stall?id={id}"), observer).Within();
        await body.ReadExactlyAsync(new byte[100]).AsTask().Within();
        await body.DisposeAsync();
        stall.Release();

        (await observer.Completed.Within())!.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    [Fact]
    public async Task Cancelling_the_token_while_reading_the_stream_fails_the_read_with_Cancelled()
    {
        var id = GateRegistry.NewId();
        await using var session = TestSessions.Ephemeral();
        using var cts = new CancellationTokenSource();

        var (_, body) = await session.BytesAsync(server.HttpUrl($"/stall?id={id}"), cancellationToken: cts.Token).Within();
        await using (body)
        {
            await body.ReadExactlyAsync(new byte[100]).AsTask().Within();
            var pending = body.ReadAsync(new byte[10]).AsTask();
            await cts.CancelAsync();

            var error = (await FluentActions.Awaiting(() => pending.Within()).Should().ThrowAsync<UrlError>()).Which;
            error.Code.Should().Be(UrlErrorCode.Cancelled);
        }
    }

    [Fact]
    public async Task A_task_suspended_before_the_body_gets_no_data_until_resumed()
    {
        await using var slow = await SlowTransfer.StartAsync(server);
        var (gate, recorder, task) = slow;
        task.Suspend();

        await gate.Send(new byte[50]).Within();
        gate.End();
        (await recorder.DataReached(1).StaysQuiet(TimeSpan.FromMilliseconds(300))).Should().BeTrue();
        (await recorder.Completed.StaysQuiet(TimeSpan.Zero)).Should().BeTrue();

        task.Resume();
        (await recorder.Completed.Within()).Should().BeNull();
        recorder.DataLength.Should().Be(50);
    }
}
