using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class RedirectEdgeTests
{
    private static HttpResponseMessage Ok() => new(HttpStatusCode.OK) { Content = new StringContent("ok") };

    [Theory]
    [InlineData(300)]
    [InlineData(304)]
    [InlineData(201)]
    public async Task Statuses_that_are_not_redirects_are_delivered_even_with_a_Location(int status)
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(status, "/target"));
        var target = mock.Record("http://example.test/target", Ok);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/start"));
        await task.RunAsync();

        ((HttpUrlResponse)task.Response!).StatusCode.Should().Be(status);
        recorder.RedirectCount.Should().Be(0);
        target.Should().BeEmpty();
    }

    [Fact]
    public async Task A_redirect_without_Location_is_delivered_as_the_response()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/start").Respond(HttpStatusCode.Found, "text/plain", "no location");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/start"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        ((HttpUrlResponse)task.Response!).StatusCode.Should().Be(302);
        recorder.RedirectCount.Should().Be(0);
    }

    [Fact]
    public async Task The_fragment_carries_over_when_Location_has_none()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(301, "/target"));
        mock.Record("http://example.test/target", Ok);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/start#section"));
        await task.RunAsync();

        task.CurrentRequest!.Url.Fragment.Should().Be("#section");
    }

    [Fact]
    public async Task A_HEAD_stays_HEAD_on_303()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(303, "/target"));
        var target = mock.Record("http://example.test/target", Ok);
        await using var session = TestSessions.Mock(mock);

        await session.CreateDataTask(new UrlRequest(new Uri("http://example.test/start")) { Method = HttpMethod.Head }).RunAsync();

        target.Single().Method.Should().Be(HttpMethod.Head);
    }

    [Fact]
    public async Task A_throwing_redirect_decision_fails_the_task_with_the_exception_inside()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(302, "/target"));
        var target = mock.Record("http://example.test/target", Ok);
        var thrown = new InvalidOperationException("decision bug");
        var recorder = new RecordingDelegate { Redirect = (_, _) => throw thrown };
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/start"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.Unknown);
        task.Error.InnerException.Should().BeSameAs(thrown);
        target.Should().BeEmpty();
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task A_redirect_decision_to_a_bad_request_fails_with_BadUrl()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(302, "/target"));
        var recorder = new RecordingDelegate { Redirect = (_, p) => p.WithHeader("X-Evil", "a\r\nb: c") };
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/start"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.BadUrl);
    }

    [Fact]
    public async Task DataAsync_follows_redirects_and_the_session_delegate_sees_them()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(302, "/target"));
        mock.Record("http://example.test/target", Ok);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var (data, response) = await session.DataAsync(new Uri("http://example.test/start"));

        data.Should().Equal("ok"u8.ToArray());
        response.Url.Should().Be(new Uri("http://example.test/target"));
        recorder.Events.Should().Equal("redirect 302 http://example.test/target", "complete");
    }
}
