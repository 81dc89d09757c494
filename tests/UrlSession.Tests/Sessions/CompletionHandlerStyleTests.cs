using System.Net;
using System.Text;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class CompletionHandlerStyleTests
{
    [Fact]
    public async Task The_handler_gets_the_whole_body_and_the_response()
    {
        var mock = new MockHttpMessageHandler();
        var body = string.Concat(Enumerable.Repeat("0123456789", 10_000));
        mock.When("http://example.test/big").Respond(HttpStatusCode.OK, "text/plain", body);
        await using var session = TestSessions.Mock(mock);
        var handled = new TaskCompletionSource<(byte[]? Data, UrlResponse? Response, UrlError? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);

        var task = session.CreateDataTask(new Uri("http://example.test/big"), (d, r, e) => handled.TrySetResult((d, r, e)));
        task.Resume();
        var (data, response, error) = await handled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        error.Should().BeNull();
        Encoding.UTF8.GetString(data!).Should().Be(body);
        response.Should().BeOfType<HttpUrlResponse>().Which.StatusCode.Should().Be(200);
        response!.MimeType.Should().Be("text/plain");
    }

    [Fact]
    public async Task The_handler_gets_the_error_and_no_data_on_failure()
    {
        var mock = new MockHttpMessageHandler();
        await using var session = TestSessions.Mock(mock);
        var handled = new TaskCompletionSource<(byte[]? Data, UrlResponse? Response, UrlError? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);

        var task = session.CreateDataTask(new Uri("ftp://example.test/file"), (d, r, e) => handled.TrySetResult((d, r, e)));
        task.Resume();
        var (data, response, error) = await handled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        data.Should().BeNull();
        response.Should().BeNull();
        error!.Code.Should().Be(UrlErrorCode.UnsupportedUrl);
    }

    [Fact]
    public async Task The_session_delegate_gets_no_response_or_data_events_but_gets_complete()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        byte[]? received = null;

        var task = session.CreateDataTask(new Uri("http://example.test/a"), (d, _, _) => received = d);
        await task.RunAsync();

        received.Should().Equal("abc"u8.ToArray());
        recorder.Events.Should().Equal("complete");
        recorder.Data.Length.Should().Be(0);
    }

    [Fact]
    public async Task The_session_delegate_still_gets_redirect_events()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/old").Respond(_ => Redirect(HttpStatusCode.Found, "/new"));
        mock.When("http://example.test/new").Respond(HttpStatusCode.OK, "text/plain", "moved");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        byte[]? received = null;

        var task = session.CreateDataTask(new Uri("http://example.test/old"), (d, _, _) => received = d);
        await task.RunAsync();

        received.Should().Equal("moved"u8.ToArray());
        recorder.Events.Should().Equal("redirect 302 http://example.test/new", "complete");
        task.Response!.Url.Should().Be(new Uri("http://example.test/new"));
    }

    private static HttpResponseMessage Redirect(HttpStatusCode status, string location)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return response;
    }
}
