using System.Text;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

/// <summary>ResponseDisposition.BecomeStream: a data task's response handed to a stream task that reads (and after 101 writes) on demand.</summary>
public sealed class StreamTaskTests
{
    private static readonly Uri Url = new("http://example.test/stream");
    private static readonly TimeSpan NoTimeout = Timeout.InfiniteTimeSpan;

    private readonly MockHttpMessageHandler _mock = new();
    private readonly FakeTimeProvider _time = new();

    private UrlSession Session(ISessionDelegate sessionDelegate) => TestSessions.Mock(_mock, sessionDelegate, _time);

    private async Task<StreamTask> BecomeStreamAsync(UrlSession session, StreamingDelegate observer)
    {
        session.CreateDataTask(Url).Resume();
        return await observer.Stream;
    }

    private void Serve(Func<HttpResponseMessage> response) => _mock.When(Url.ToString()).Respond(_ => response());

    [Fact]
    public async Task Reads_the_body_on_demand_and_completes_once_the_end_was_read()
    {
        Serve(() => new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent("hello, stream"u8.ToArray()) });
        var observer = new StreamingDelegate();
        await using var session = Session(observer);

        var stream = await BecomeStreamAsync(session, observer);

        stream.CanWrite.Should().BeFalse("only a 101 leaves the connection to the caller");
        stream.Response.Should().BeOfType<HttpUrlResponse>().Which.StatusCode.Should().Be(200);
        var first = await stream.ReadDataAsync(5, 5, NoTimeout);
        Encoding.ASCII.GetString(first.Data).Should().Be("hello");
        first.AtEndOfStream.Should().BeFalse();
        var rest = await stream.ReadDataAsync(1, 1000, NoTimeout);
        var restText = Encoding.ASCII.GetString(rest.Data);
        if (!rest.AtEndOfStream)
        {
            // The end may arrive after the last bytes: then a further read reports it.
            var end = await stream.ReadDataAsync(1, 1000, NoTimeout);
            end.AtEndOfStream.Should().BeTrue();
            restText += Encoding.ASCII.GetString(end.Data);
        }

        restText.Should().Be(", stream");
        var (task, error) = await observer.Completed;
        task.Should().BeSameAs(stream);
        error.Should().BeNull();
        stream.State.Should().Be(SessionTaskState.Completed);
        stream.CountOfBytesReceived.Should().Be(13);
        observer.Events.Should().Equal("created DataTask", "response", "created StreamTask", "became stream", "read closed", "complete StreamTask");
        (await session.GetAllTasksAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_read_waits_for_its_minimum_and_returns_at_most_its_maximum()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        var read = stream.ReadDataAsync(6, 8, NoTimeout);
        body.Feed("abc"u8.ToArray());
        await body.WaitForBlockedReadAsync(2);
        read.IsCompleted.Should().BeFalse("3 of the 6 bytes asked for arrived");
        body.Feed("defghijk"u8.ToArray());

        var (data, atEnd) = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Encoding.ASCII.GetString(data).Should().Be("abcdefgh");
        atEnd.Should().BeFalse();
        var (rest, _) = await stream.ReadDataAsync(3, 3, NoTimeout);
        Encoding.ASCII.GetString(rest).Should().Be("ijk");
        stream.Cancel();
    }

    [Fact]
    public async Task A_zero_minimum_returns_what_has_arrived_without_waiting()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        await body.WaitForBlockedReadAsync(1);
        var empty = await stream.ReadDataAsync(0, 10, NoTimeout);
        empty.Data.Should().BeEmpty();
        empty.AtEndOfStream.Should().BeFalse();

        body.Feed("xyz"u8.ToArray());
        await body.WaitForBlockedReadAsync(2);
        var some = await stream.ReadDataAsync(0, 10, NoTimeout);
        Encoding.ASCII.GetString(some.Data).Should().Be("xyz");
        stream.Cancel();
    }

    [Fact]
    public async Task A_read_that_times_out_fails_alone_and_the_task_reads_on()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        var read = stream.ReadDataAsync(1, 10, TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        (await read.Awaiting(r => r.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.TimedOut);
        stream.State.Should().Be(SessionTaskState.Running);
        body.Feed("late"u8.ToArray());
        var (data, _) = await stream.ReadDataAsync(4, 4, TimeSpan.FromSeconds(5));
        Encoding.ASCII.GetString(data).Should().Be("late");
        stream.Cancel();
    }

    [Fact]
    public async Task The_session_request_timeout_does_not_end_a_quiet_stream()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        var configuration = TestSessions.Configuration(_mock, _time);
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(10);
        await using var session = new UrlSession(configuration, observer);
        var stream = await BecomeStreamAsync(session, observer);

        await body.WaitForBlockedReadAsync(1);
        _time.Advance(TimeSpan.FromMinutes(5));
        body.Feed("still here"u8.ToArray());

        var (data, _) = await stream.ReadDataAsync(10, 10, NoTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        Encoding.ASCII.GetString(data).Should().Be("still here");
        stream.State.Should().Be(SessionTaskState.Running);
        stream.Cancel();
    }

    [Fact]
    public async Task The_resource_timeout_still_ends_the_stream_task()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        var configuration = TestSessions.Configuration(_mock, _time);
        configuration.TimeoutIntervalForResource = TimeSpan.FromMinutes(1);
        await using var session = new UrlSession(configuration, observer);
        var stream = await BecomeStreamAsync(session, observer);

        var read = stream.ReadDataAsync(1, 10, NoTimeout);
        _time.Advance(TimeSpan.FromMinutes(1));

        (await read.Awaiting(r => r.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.TimedOut);
        (await observer.Completed).Error!.Code.Should().Be(UrlErrorCode.TimedOut);
    }

    [Fact]
    public async Task Cancelling_a_read_token_ends_that_read_only()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        using var cancel = new CancellationTokenSource();
        var read = stream.ReadDataAsync(1, 10, NoTimeout, cancel.Token);
        await cancel.CancelAsync();

        await read.Awaiting(r => r.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();
        body.Feed("ok"u8.ToArray());
        (await stream.ReadDataAsync(2, 2, NoTimeout)).Data.Should().Equal("ok"u8.ToArray());
        stream.Cancel();
    }

    [Fact]
    public async Task Cancel_fails_a_waiting_read_with_Cancelled_and_completes_the_task_once()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        var read = stream.ReadDataAsync(1, 10, NoTimeout);
        stream.Cancel();

        (await read.Awaiting(r => r.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.Cancelled);
        (await observer.Completed).Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        await stream.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        observer.Events.Count(e => e.StartsWith("complete", StringComparison.Ordinal)).Should().Be(1, "the data task handed over reports no completion");
        (await stream.Awaiting(s => s.ReadDataAsync(1, 10, NoTimeout)).Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    [Fact]
    public async Task CloseRead_ends_a_waiting_read_and_completes_a_read_only_task()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        body.Feed("ab"u8.ToArray());
        await body.WaitForBlockedReadAsync(2);
        var read = stream.ReadDataAsync(10, 10, NoTimeout);
        stream.CloseRead();

        var (data, atEnd) = await read.WaitAsync(TimeSpan.FromSeconds(30));
        atEnd.Should().BeTrue();
        data.Should().Equal("ab"u8.ToArray(), "a closed read side ends the waiting read with what had arrived");
        await observer.ReadClosedSeen;
        (await observer.Completed).Error.Should().BeNull();
        await stream.Awaiting(s => s.ReadDataAsync(1, 1, NoTimeout)).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task A_connection_lost_mid_stream_fails_the_read_and_the_task_with_NetworkConnectionLost()
    {
        var body = new BreakingStream(Encoding.ASCII.GetBytes("partial"));
        Serve(() => new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StreamContent(body) });
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        var (data, _) = await stream.ReadDataAsync(7, 7, NoTimeout);
        Encoding.ASCII.GetString(data).Should().Be("partial");
        body.Break();
        (await stream.Awaiting(s => s.ReadDataAsync(1, 10, NoTimeout)).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        (await observer.Completed).Error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
    }

    [Fact]
    public async Task Nobody_reading_holds_the_read_ahead_to_its_window()
    {
        const long Size = 8L * 1024 * 1024;
        Serve(() => new GeneratedStream(Size).Response());
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        // An invariant rather than a timing: whenever we look, the task is at most one window (plus one network
        // read it had begun) ahead of what was read.
        long consumed = 0;
        var atEnd = false;
        while (!atEnd)
        {
            (stream.CountOfBytesReceived - consumed).Should().BeLessThanOrEqualTo(StreamTask.ReadAheadLimit + (16 * 1024));
            byte[] data;
            (data, atEnd) = await stream.ReadDataAsync(1, 64 * 1024, NoTimeout);
            GeneratedStream.Matches(data, consumed).Should().BeTrue();
            consumed += data.Length;
        }

        consumed.Should().Be(Size);
        (await observer.Completed).Error.Should().BeNull();
    }

    [Fact]
    public async Task After_101_the_task_writes_to_the_connection_and_reads_the_answers()
    {
        var connection = new DuplexPipeStream();
        Serve(connection.SwitchingProtocols);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);
        stream.CanWrite.Should().BeTrue();

        await stream.WriteDataAsync("ping"u8.ToArray(), TimeSpan.FromSeconds(5));
        (await connection.ServerReadAsync(4)).Should().Equal("ping"u8.ToArray());
        await connection.ServerWriteAsync("pong"u8.ToArray());
        (await stream.ReadDataAsync(4, 4, TimeSpan.FromSeconds(5))).Data.Should().Equal("pong"u8.ToArray());
        stream.CountOfBytesSent.Should().Be(4);

        stream.CloseWrite();
        await observer.WriteClosedSeen;
        await stream.Awaiting(s => s.WriteDataAsync(new byte[1], NoTimeout)).Should().ThrowAsync<InvalidOperationException>();
        stream.State.Should().Be(SessionTaskState.Running, "the read side is still open");

        connection.ServerClose();
        (await stream.ReadDataAsync(1, 10, NoTimeout)).AtEndOfStream.Should().BeTrue();
        (await observer.Completed).Error.Should().BeNull();
        observer.Events.Should().ContainInOrder("became stream", "write closed", "complete StreamTask");
        observer.Events.Should().Contain("read closed");
    }

    [Fact]
    public async Task A_write_that_fails_fails_the_task()
    {
        var connection = new DuplexPipeStream();
        var response = connection.SwitchingProtocols();
        Serve(() => response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        connection.BreakWrites();
        (await stream.Awaiting(s => s.WriteDataAsync(new byte[10], NoTimeout)).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        (await observer.Completed).Error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost, "a connection that failed a write cannot be trusted with the next");
    }

    [Fact]
    public async Task A_read_only_stream_task_refuses_writes_clearly()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        (await stream.Awaiting(s => s.WriteDataAsync(new byte[1], NoTimeout)).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("101").And.Contain("200");
        stream.State.Should().Be(SessionTaskState.Running);
        stream.Cancel();
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(5, 4)]
    [InlineData(0, 0)]
    [InlineData(StreamTask.ReadAheadLimit + 1, int.MaxValue)]
    public async Task Read_lengths_out_of_range_are_refused(int min, int max)
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        await using var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        await stream.Awaiting(s => s.ReadDataAsync(min, max, NoTimeout)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await stream.Awaiting(s => s.ReadDataAsync(1, 1, TimeSpan.FromSeconds(-2))).Should().ThrowAsync<ArgumentOutOfRangeException>();
        stream.Cancel();
    }

    [Fact]
    public async Task DataAsync_whose_delegate_answers_BecomeStream_fails_instead_of_returning_nothing()
    {
        Serve(() => new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) });
        await using var session = TestSessions.Mock(_mock);

        var call = session.DataAsync(Url, new StreamingDelegate());

        (await call.Awaiting(c => c.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.Unknown);
    }

    [Fact]
    public async Task FinishTasksAndInvalidate_waits_for_the_stream_task()
    {
        var body = new GatedStream();
        Serve(body.Response);
        var observer = new StreamingDelegate();
        var session = Session(observer);
        var stream = await BecomeStreamAsync(session, observer);

        session.FinishTasksAndInvalidate();
        body.Feed("tail"u8.ToArray());
        body.Finish();
        var (data, _) = await stream.ReadDataAsync(4, 4, NoTimeout);
        Encoding.ASCII.GetString(data).Should().Be("tail");
        (await stream.ReadDataAsync(1, 1, NoTimeout)).AtEndOfStream.Should().BeTrue();

        await observer.Invalidated;
        stream.Error.Should().BeNull();
    }

    /// <summary>Gives its bytes, then, once told to, fails as a dropped connection does.</summary>
    private sealed class BreakingStream(byte[] before) : MemoryStream(before)
    {
        private readonly TaskCompletionSource _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Break() => _broken.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position < Length)
            {
                return await base.ReadAsync(buffer, cancellationToken);
            }

            await _broken.Task.WaitAsync(cancellationToken);
            throw new IOException("The connection was reset.");
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
