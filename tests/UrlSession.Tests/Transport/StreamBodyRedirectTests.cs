using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class StreamBodyRedirectTests
{
    private static UrlRequest StreamPost() => new(new Uri("http://example.test/start"))
    {
        Method = HttpMethod.Post,
        Body = RequestBody.FromStream(new MemoryStream("streamed"u8.ToArray()), 8),
    };

    [Fact]
    public async Task A_307_with_a_stream_body_asks_the_delegate_for_a_new_stream()
    {
        var mock = new MockHttpMessageHandler();
        var start = mock.Record("http://example.test/start", () => RedirectMock.Redirect(307, "/target"));
        var target = mock.Record("http://example.test/target", () => new HttpResponseMessage(HttpStatusCode.OK));
        var recorder = new NewStreamDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(StreamPost());
        await task.RunAsync();

        task.Error.Should().BeNull();
        start.Single().Body.Should().Be("streamed");
        target.Single().Body.Should().Be("STREAMED");
        recorder.Asked.Should().Be(1);
    }

    [Fact]
    public async Task A_307_with_a_stream_body_and_no_new_stream_fails_with_RequestBodyStreamExhausted()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(307, "/target"));
        var target = mock.Record("http://example.test/target", () => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = TestSessions.Mock(mock);

        var task = session.CreateDataTask(StreamPost());
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        target.Should().BeEmpty();
    }

    [Fact]
    public async Task A_303_with_a_stream_body_needs_no_new_stream()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(303, "/target"));
        var target = mock.Record("http://example.test/target", () => new HttpResponseMessage(HttpStatusCode.OK));
        var recorder = new NewStreamDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(StreamPost());
        await task.RunAsync();

        task.Error.Should().BeNull();
        target.Single().Method.Should().Be(HttpMethod.Get);
        recorder.Asked.Should().Be(0);
    }

    [Fact]
    public async Task A_fresh_stream_body_from_the_redirect_decision_is_sent_without_asking_for_a_new_stream()
    {
        var mock = new MockHttpMessageHandler();
        var start = mock.Record("http://example.test/start", () => RedirectMock.Redirect(307, "/target"));
        var target = mock.Record("http://example.test/target", () => new HttpResponseMessage(HttpStatusCode.OK));
        var recorder = new NewStreamDelegate
        {
            Redirect = proposed => proposed with { Body = RequestBody.FromStream(new MemoryStream("fresh"u8.ToArray()), 5) },
        };
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(StreamPost());
        await task.RunAsync();

        task.Error.Should().BeNull();
        start.Single().Body.Should().Be("streamed");
        target.Single().Body.Should().Be("fresh");
        recorder.Asked.Should().Be(0);
    }

    private sealed class NewStreamDelegate : IDataTaskDelegate
    {
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public Func<UrlRequest, UrlRequest> Redirect { get; init; } = proposed => proposed;

        public ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest) =>
            ValueTask.FromResult<UrlRequest?>(Redirect(newRequest));

        public ValueTask<Stream?> NeedNewBodyStreamAsync(UrlSession session, SessionTask task)
        {
            Interlocked.Increment(ref _asked);
            return ValueTask.FromResult<Stream?>(new MemoryStream("STREAMED"u8.ToArray()));
        }
    }
}
