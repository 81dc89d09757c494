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
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock);
        var (_, stream) = await session.BytesAsync(Url, recorder);
        var task = (DataTask)(await session.GetAllTasksAsync()).Single();
        await stream.ReadExactlyAsync(new byte[100]);
        await body.WaitForBlockedReadAsync(1).WaitAsync(TimeSpan.FromSeconds(5));

        await stream.DisposeAsync();

        await task.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_of_a_suspended_task_cancels_it()
    {
        var body = new GatedStream();
        body.Feed(new byte[100]);
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        await using var session = TestSessions.Mock(mock);
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
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock);
        var (_, stream) = await session.BytesAsync(Url, recorder);
        await stream.ReadExactlyAsync(new byte[100]);
        (await stream.ReadAsync(new byte[1])).Should().Be(0);

        await stream.DisposeAsync();

        (await recorder.Completed.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeNull();
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_while_the_last_read_is_in_flight_cancels_the_task()
    {
        // The interleaving that flaked: the caller gives up while the pump waits for the body's last read, and that
        // read then returns the end (it had completed in the network before the cancellation reached it).
        var mock = new MockHttpMessageHandler();
        var gated = new GatedStream { IgnoresCancellation = true };
        mock.When("http://example.test/slow").Respond(_ => gated.Response());
        var taskDelegate = new RecordingDelegate();
        await using var session = MockSession.Create(mock);

        var (_, body) = await session.BytesAsync(new Uri("http://example.test/slow"), taskDelegate);
        var task = (await session.GetAllTasksAsync()).Single();
        await gated.WaitForBlockedReadAsync(1);
        gated.Feed("abc"u8.ToArray());
        await body.ReadExactlyAsync(new byte[2]);
        await gated.WaitForBlockedReadAsync(2);
        await body.DisposeAsync();
        gated.Finish();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().NotBeNull();
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        taskDelegate.Events.Should().Equal("response", "complete Cancelled");
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_between_the_bodys_end_and_completion_does_not_cancel_the_task()
    {
        // The pump reached the body's end first: nothing was cut off, so the unread rest is the caller's business.
        var mock = new MockHttpMessageHandler();
        var gated = new GatedStream();
        mock.When("http://example.test/short").Respond(_ => gated.Response());
        var taskDelegate = new RecordingDelegate();
        await using var session = MockSession.Create(mock);
        var bodyEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var disposed = new ManualResetEventSlim();
        session.AddObserver(new BodyEndedGate(bodyEnded, disposed));

        var (_, body) = await session.BytesAsync(new Uri("http://example.test/short"), taskDelegate);
        var task = (await session.GetAllTasksAsync()).Single();
        gated.Feed("abc"u8.ToArray());
        gated.Finish();
        await body.ReadExactlyAsync(new byte[1]);
        await bodyEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await body.DisposeAsync();
        disposed.Set();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull();
        task.CountOfBytesReceived.Should().Be(3);
        taskDelegate.Events.Should().Equal("response", "complete");
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_after_the_body_failed_keeps_the_failure()
    {
        var body = new GatedStream();
        body.Feed(new byte[100]);
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        await using var session = MockSession.Create(mock);
        var (_, stream) = await session.BytesAsync(Url);
        var task = (DataTask)(await session.GetAllTasksAsync()).Single();
        await stream.ReadExactlyAsync(new byte[100]);
        body.Fail(new IOException("The connection was reset."));
        (await FluentActions.Awaiting(() => stream.ReadAsync(new byte[10]).AsTask()).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);

        await stream.DisposeAsync();

        await task.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        task.Error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
    }

    [Fact]
    public async Task Every_read_after_the_task_failed_throws_the_tasks_error()
    {
        var body = new GatedStream();
        body.Feed(new byte[100]);
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock);
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
        await using var session = TestSessions.Mock(mock);
        var (_, stream) = await session.BytesAsync(Url);

        await stream.DisposeAsync();

        await FluentActions.Awaiting(() => stream.ReadAsync(new byte[10]).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
        FluentActions.Invoking(() => stream.Read(new byte[10], 0, 10)).Should().Throw<ObjectDisposedException>();
        stream.CanRead.Should().BeFalse();
    }

    /// <summary>Holds the task between the body's end and its completion until the test disposed the stream.</summary>
    private sealed class BodyEndedGate(TaskCompletionSource bodyEnded, ManualResetEventSlim disposed) : ITaskObserver
    {
        public void ResponseBodyEnded(SessionTask task)
        {
            bodyEnded.TrySetResult();
            disposed.Wait(TimeSpan.FromSeconds(30));
        }
    }
}
