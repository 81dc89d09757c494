using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Engine.Sinks;

public sealed class CallerBodyStreamTests
{
    private static readonly Uri Url = new("http://example.test/stream");

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_while_the_server_sends_nothing_cancels_the_task_at_once()
    {
        // The pump waits on the network; it must not need another chunk from the server to see nobody reads any more.
        var body = new GatedStream();
        body.Feed(new byte[100]);
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        var recorder = new CompletionRecorder();
        await using var session = MockSession.Create(mock);
        var (_, stream) = await session.BytesAsync(Url, recorder);
        var task = (DataTask)(await session.GetAllTasksAsync()).Single();
        await stream.ReadExactlyAsync(new byte[100]);
        await body.WaitForBlockedReadAsync(1).WaitAsync(TimeSpan.FromSeconds(5));

        await stream.DisposeAsync();

        await task.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.DidCompleteCount.Should().Be(1);
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_of_a_suspended_task_cancels_it()
    {
        var body = new GatedStream();
        body.Feed(new byte[100]);
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        await using var session = MockSession.Create(mock);
        var (_, stream) = await session.BytesAsync(Url);
        var task = (DataTask)(await session.GetAllTasksAsync()).Single();
        await stream.ReadExactlyAsync(new byte[100]);
        task.Suspend();
        body.Feed(new byte[100]);

        await stream.DisposeAsync();

        await task.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_after_the_whole_body_arrived_does_not_cancel()
    {
        var body = new GatedStream();
        body.Feed(new byte[100]);
        body.Finish();
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        var recorder = new CompletionRecorder();
        await using var session = MockSession.Create(mock);
        var (_, stream) = await session.BytesAsync(Url, recorder);
        await stream.ReadExactlyAsync(new byte[100]);
        (await stream.ReadAsync(new byte[1])).Should().Be(0);

        await stream.DisposeAsync();

        (await recorder.Completed.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeNull();
        recorder.DidCompleteCount.Should().Be(1);
    }

    [Fact]
    public async Task Every_read_after_the_task_failed_throws_the_tasks_error()
    {
        var body = new GatedStream();
        body.Feed(new byte[100]);
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        var recorder = new CompletionRecorder();
        await using var session = MockSession.Create(mock);
        var (_, stream) = await session.BytesAsync(Url, recorder);
        var task = (DataTask)(await session.GetAllTasksAsync()).Single();
        await stream.ReadExactlyAsync(new byte[100]);

        task.Cancel();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        for (var i = 0; i < 2; i++)
        {
            (await FluentActions.Awaiting(() => stream.ReadAsync(new byte[10]).AsTask()).Should().ThrowAsync<UrlError>())
                .Which.Should().BeSameAs(task.Error);
        }

        await stream.DisposeAsync();
    }

    [Fact]
    public async Task Reading_after_dispose_throws_ObjectDisposedException()
    {
        var body = new GatedStream();
        body.Feed(new byte[100]);
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        await using var session = MockSession.Create(mock);
        var (_, stream) = await session.BytesAsync(Url);

        await stream.DisposeAsync();

        await FluentActions.Awaiting(() => stream.ReadAsync(new byte[10]).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
        FluentActions.Invoking(() => stream.Read(new byte[10], 0, 10)).Should().Throw<ObjectDisposedException>();
        stream.CanRead.Should().BeFalse();
    }

    private sealed class CompletionRecorder : RecordingDelegate
    {
        private readonly TaskCompletionSource<UrlError?> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<UrlError?> Completed => _completed.Task;

        public override void DidComplete(UrlSession session, SessionTask task, UrlError? error)
        {
            base.DidComplete(session, task, error);
            _completed.TrySetResult(error);
        }
    }
}
