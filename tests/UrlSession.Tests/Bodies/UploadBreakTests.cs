using System.Net;

namespace UrlSessions.Tests.Bodies;

/// <summary>
/// A connection that breaks while the body goes out (a server that answered early and closed it) and a body source
/// that fails: what the task reports.
/// </summary>
public sealed class UploadBreakTests
{
    private static readonly Uri Url = new("http://example.test/upload");

    [Fact]
    public async Task A_write_failure_re_sends_a_bytes_body_once_with_Expect_100_continue_and_delivers_that_response()
    {
        var handler = new BreaksFirstSendHandler();
        await using var session = Session(handler);

        var (data, response) = await session.DataAsync(new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[200_000]) });

        ((HttpUrlResponse)response).StatusCode.Should().Be(413);
        System.Text.Encoding.UTF8.GetString(data).Should().Be("too large");
        handler.ExpectContinue.Should().Equal(false, true);
    }

    [Fact]
    public async Task A_write_failure_re_sends_a_file_body_once_with_Expect_100_continue()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllBytesAsync(path, new byte[200_000]);
        try
        {
            var handler = new BreaksFirstSendHandler();
            await using var session = Session(handler);

            var (_, response) = await session.DataAsync(new UrlRequest(Url) { Method = HttpMethod.Put, Body = RequestBody.FromFile(path) });

            ((HttpUrlResponse)response).StatusCode.Should().Be(413);
            handler.ExpectContinue.Should().Equal(false, true);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_write_failure_with_Expect_already_sent_is_the_tasks_error()
    {
        var handler = new BreaksFirstSendHandler();
        await using var session = TestSessions.Mock(handler, configure: c => c.ExpectContinueThreshold = 0);

        var act = () => session.DataAsync(new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[200_000]) });

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        handler.ExpectContinue.Should().Equal(true);
    }

    [Fact]
    public async Task A_write_failure_with_a_stream_body_is_not_re_sent()
    {
        var handler = new BreaksFirstSendHandler();
        await using var session = Session(handler);

        var act = () => session.DataAsync(new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromStream(new MemoryStream(new byte[200_000])) });

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        handler.ExpectContinue.Should().Equal(false);
    }

    [Fact]
    public async Task A_body_stream_that_throws_fails_with_Unknown_and_that_exception_as_InnerException()
    {
        var thrown = new IOException("the disk went away");
        var handler = new BreaksFirstSendHandler { BreakWrites = false };
        await using var session = Session(handler);

        var act = () => session.DataAsync(new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromStream(new ThrowingStream(thrown)) });

        var error = (await act.Should().ThrowAsync<UrlError>()).Which;
        error.Code.Should().Be(UrlErrorCode.Unknown);
        error.InnerException.Should().BeSameAs(thrown);
        error.Message.Should().Contain("the disk went away");
        handler.ExpectContinue.Should().Equal([false], "a failing source is not a broken connection: nothing is re-sent");
    }

    private static UrlSession Session(HttpMessageHandler handler)
    {
        return TestSessions.Mock(handler);
    }

    /// <summary>
    /// As SocketsHttpHandler against a server that answered 413 and closed the connection: the first send's body
    /// write fails and the response is lost; a send asking Expect: 100-continue gets the 413 before any body.
    /// </summary>
    private sealed class BreaksFirstSendHandler : HttpMessageHandler
    {
        private readonly List<bool> _expectContinue = [];

        public bool BreakWrites { get; init; } = true;

        public IReadOnlyList<bool> ExpectContinue
        {
            get
            {
                lock (_expectContinue)
                {
                    return [.. _expectContinue];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var expect = request.Headers.ExpectContinue == true;
            lock (_expectContinue)
            {
                _expectContinue.Add(expect);
            }

            if (expect && _expectContinue.Count > 1)
            {
                return new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge) { Content = new StringContent("too large") };
            }

            try
            {
                await request.Content!.CopyToAsync(BreakWrites ? new BrokenPipeStream() : Stream.Null, cancellationToken);
            }
            catch (IOException ex)
            {
                throw new HttpRequestException("Error while copying content to a stream.", ex);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") };
        }
    }

    private sealed class BrokenPipeStream : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // The first piece goes out; then the server has closed the connection.
            if (_written > 0)
            {
                throw new IOException("Unable to write data to the transport connection: Broken pipe.");
            }

            _written += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowingStream(Exception failure) : MemoryStream(new byte[100_000], writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position > 0 ? throw failure : base.ReadAsync(buffer, cancellationToken);
    }
}
