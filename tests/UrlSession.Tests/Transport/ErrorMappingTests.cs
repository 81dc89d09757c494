using System.Net;
using System.Net.Sockets;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class ErrorMappingTests
{
    private static readonly Uri Url = new("http://example.test/e");

    private static async Task<UrlError> FailAsync(Action<MockHttpMessageHandler> setUp)
    {
        var mock = new MockHttpMessageHandler();
        setUp(mock);
        await using var session = TestSessions.Mock(mock);
        var task = session.CreateDataTask(Url);
        await task.RunAsync();
        task.Error.Should().NotBeNull();
        task.Error!.FailingUrl.Should().Be(Url);
        return task.Error;
    }

    public static TheoryData<HttpRequestError, UrlErrorCode> SendErrors => new()
    {
        { HttpRequestError.NameResolutionError, UrlErrorCode.CannotFindHost },
        { HttpRequestError.ConnectionError, UrlErrorCode.CannotConnectToHost },
        { HttpRequestError.SecureConnectionError, UrlErrorCode.SecureConnectionFailed },
        { HttpRequestError.InvalidResponse, UrlErrorCode.BadServerResponse },
        // Ended before any status line: an empty or HTTP/0.9 reply, a server fault (mid-body it is NetworkConnectionLost).
        { HttpRequestError.ResponseEnded, UrlErrorCode.BadServerResponse },
        { HttpRequestError.Unknown, UrlErrorCode.Unknown },
    };

    [Theory]
    [MemberData(nameof(SendErrors))]
    public async Task Send_failures_map_to_their_codes(HttpRequestError httpError, UrlErrorCode expected)
    {
        var thrown = new HttpRequestException(httpError, "failed");

        var error = await FailAsync(m => m.When(Url.ToString()).Throw(thrown));

        error.Code.Should().Be(expected);
        error.InnerException.Should().BeSameAs(thrown);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, UrlErrorCode.CannotConnectToHost)]
    [InlineData(SocketError.HostNotFound, UrlErrorCode.CannotFindHost)]
    [InlineData(SocketError.NetworkUnreachable, UrlErrorCode.NotConnectedToInternet)]
    public async Task Socket_failures_map_to_their_codes(SocketError socketError, UrlErrorCode expected)
    {
        var thrown = new HttpRequestException(HttpRequestError.ConnectionError, "failed", new SocketException((int)socketError));

        var error = await FailAsync(m => m.When(Url.ToString()).Throw(thrown));

        error.Code.Should().Be(expected);
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_NetworkConnectionLost()
    {
        var error = await FailAsync(m => m.When(Url.ToString()).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new FailingStream(new IOException("reset by peer", new SocketException((int)SocketError.ConnectionReset)))),
        }));

        error.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_NetworkConnectionLost_for_a_delegate_task()
    {
        var mock = new MockHttpMessageHandler();
        var dropped = new IOException("reset by peer", new SocketException((int)SocketError.ConnectionReset));
        mock.When(Url.ToString()).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new FailingStream(dropped)) });
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(Url);
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        task.Error.InnerException.Should().BeSameAs(dropped);
        recorder.Events.Should().StartWith("response").And.EndWith("complete NetworkConnectionLost");
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_fails_the_BytesAsync_read_with_NetworkConnectionLost()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new FailingStream(new IOException("reset by peer"))),
        });
        await using var session = TestSessions.Mock(mock);

        var (_, body) = await session.BytesAsync(Url);
        await using (body)
        {
            var read = () => body.CopyToAsync(Stream.Null);

            (await read.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        }
    }

    [Fact]
    public async Task A_corrupt_content_encoding_is_CannotDecodeContentData()
    {
        var error = await FailAsync(m => m.When(Url.ToString()).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new FailingStream(new InvalidDataException("bad gzip"))),
        }));

        error.Code.Should().Be(UrlErrorCode.CannotDecodeContentData);
    }

    [Fact]
    public async Task Error_messages_name_the_url()
    {
        var error = await FailAsync(m => m.When(Url.ToString()).Throw(new HttpRequestException(HttpRequestError.NameResolutionError, "failed")));

        error.Message.Should().Contain("http://example.test/e");
        error.HResult.Should().Be((int)UrlErrorCode.CannotFindHost);
    }

    [Fact]
    public void Error_codes_match_NSURLErrorDomain()
    {
        ((int)UrlErrorCode.Cancelled).Should().Be(-999);
        ((int)UrlErrorCode.BadUrl).Should().Be(-1000);
        ((int)UrlErrorCode.TimedOut).Should().Be(-1001);
        ((int)UrlErrorCode.UnsupportedUrl).Should().Be(-1002);
        ((int)UrlErrorCode.HttpTooManyRedirects).Should().Be(-1007);
        ((int)UrlErrorCode.BadServerResponse).Should().Be(-1011);
        ((int)UrlErrorCode.AppTransportSecurityRequiresSecureConnection).Should().Be(-1022);
        ((int)UrlErrorCode.ServerCertificateUntrusted).Should().Be(-1202);
        ((int)UrlErrorCode.DownloadDecodingFailedToComplete).Should().Be(-3007);
    }

    private sealed class FailingStream(Exception failure) : Stream
    {
        private bool _sentFirst;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_sentFirst)
            {
                _sentFirst = true;
                buffer[offset] = 1;
                return 1;
            }

            throw failure;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
