using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class RedirectLocationTests
{
    private static HttpResponseMessage Ok(string text) => new(HttpStatusCode.OK) { Content = new StringContent(text) };

    [Theory]
    [InlineData("next", "http://example.test/dir/next")]
    [InlineData("../up", "http://example.test/up")]
    [InlineData("/root?q=1", "http://example.test/root?q=1")]
    [InlineData("//other.test/x", "http://other.test/x")]
    public async Task A_relative_Location_resolves_against_the_answering_url(string location, string expected)
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/dir/start", () => RedirectMock.Redirect(302, location));
        var target = mock.Record(expected, () => Ok("there"));
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/dir/start"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        target.Single().Url.Should().Be(new Uri(expected));
        recorder.Data.ToArray().Should().Equal("there"u8.ToArray());
        recorder.Events[0].Should().Be($"redirect 302 {expected}");
    }

    [Fact]
    public async Task Sixteen_redirects_are_followed()
    {
        var mock = Chain(16);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/r/0"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        recorder.RedirectCount.Should().Be(16);
        task.Response!.Url.Should().Be(new Uri("http://example.test/r/16"));
        recorder.Data.ToArray().Should().Equal("end"u8.ToArray());
    }

    [Fact]
    public async Task The_seventeenth_redirect_fails_with_HttpTooManyRedirects()
    {
        var mock = Chain(17);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/r/0"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.HttpTooManyRedirects);
        task.Error.FailingUrl.Should().Be(new Uri("http://example.test/r/16"));
        recorder.RedirectCount.Should().Be(16);
        recorder.Events.Should().NotContain("response");
    }

    [Fact]
    public async Task Refusing_a_redirect_delivers_the_3xx_as_the_final_response()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(302, "/target"));
        var target = mock.Record("http://example.test/target", () => Ok("there"));
        var recorder = new RecordingDelegate { Redirect = (_, _) => null };
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/start"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        var response = task.Response.Should().BeOfType<HttpUrlResponse>().Subject;
        response.StatusCode.Should().Be(302);
        response.Headers["Location"].Should().Be("/target");
        recorder.Data.ToArray().Should().Equal("redirect 302"u8.ToArray());
        recorder.Events.Should().Equal("redirect 302 http://example.test/target", "response", "data", "complete");
        target.Should().BeEmpty();
    }

    [Fact]
    public async Task The_delegate_may_send_the_redirect_somewhere_else()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(302, "/target"));
        var proposed = mock.Record("http://example.test/target", () => Ok("proposed"));
        var chosen = mock.Record("http://elsewhere.test/chosen", () => Ok("chosen"));
        var recorder = new RecordingDelegate { Redirect = (_, p) => p with { Url = new Uri("http://elsewhere.test/chosen") } };
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/start"));
        await task.RunAsync();

        proposed.Should().BeEmpty();
        chosen.Should().ContainSingle();
        recorder.Data.ToArray().Should().Equal("chosen"u8.ToArray());
        task.CurrentRequest!.Url.Should().Be(new Uri("http://elsewhere.test/chosen"));
    }

    [Fact]
    public async Task The_redirect_event_carries_the_3xx_response()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(307, "/target"));
        mock.Record("http://example.test/target", () => Ok("there"));
        HttpUrlResponse? seen = null;
        var recorder = new RecordingDelegate { Redirect = (r, p) => { seen = r; return p; } };
        await using var session = TestSessions.Mock(mock, recorder);

        await session.CreateDataTask(new Uri("http://example.test/start")).RunAsync();

        seen!.StatusCode.Should().Be(307);
        seen.Url.Should().Be(new Uri("http://example.test/start"));
    }

    private static MockHttpMessageHandler Chain(int redirects)
    {
        var mock = new MockHttpMessageHandler();
        for (var i = 0; i < redirects; i++)
        {
            var next = $"/r/{i + 1}";
            mock.When($"http://example.test/r/{i}").Respond(_ => RedirectMock.Redirect(302, next));
        }

        mock.When($"http://example.test/r/{redirects}").Respond(_ => Ok("end"));
        return mock;
    }
}
