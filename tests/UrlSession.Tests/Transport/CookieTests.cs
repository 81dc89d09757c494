using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class CookieTests
{
    private static HttpResponseMessage SetCookieRedirect(string location)
    {
        var response = RedirectMock.Redirect(302, location);
        response.Headers.Add("Set-Cookie", "sid=abc; Path=/");
        return response;
    }

    [Fact]
    public async Task A_cookie_set_by_a_redirect_is_sent_on_the_next_hop_of_the_same_origin()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/login", () => SetCookieRedirect("/home"));
        var home = mock.Record("http://example.test/home", () => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = TestSessions.Mock(mock);

        await session.CreateDataTask(new Uri("http://example.test/login")).RunAsync();

        home.Single().Headers["Cookie"].Should().Be("sid=abc");
    }

    [Fact]
    public async Task A_stored_cookie_is_not_sent_to_another_origin()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/login", () => SetCookieRedirect("http://other.test/home"));
        var other = mock.Record("http://other.test/home", () => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = TestSessions.Mock(mock);

        await session.CreateDataTask(new Uri("http://example.test/login")).RunAsync();

        other.Single().Headers.Should().NotContainKey("Cookie");
    }

    [Fact]
    public async Task Cookies_are_neither_stored_nor_sent_when_the_configuration_says_no()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/login", () => SetCookieRedirect("/home"));
        var home = mock.Record("http://example.test/home", () => new HttpResponseMessage(HttpStatusCode.OK));
        var configuration = TestSessions.Configuration(mock);
        configuration.HttpShouldSetCookies = false;
        await using var session = new UrlSession(configuration);

        await session.CreateDataTask(new Uri("http://example.test/login")).RunAsync();

        home.Single().Headers.Should().NotContainKey("Cookie");
        configuration.HttpCookieStorage!.Count.Should().Be(0);
    }

    [Fact]
    public async Task A_request_that_does_not_handle_cookies_sends_none()
    {
        var mock = new MockHttpMessageHandler();
        var target = mock.Record("http://example.test/a", () => new HttpResponseMessage(HttpStatusCode.OK));
        var configuration = TestSessions.Configuration(mock);
        configuration.HttpCookieStorage!.SetCookie(new Cookie("sid", "1", "/", "example.test"));
        await using var session = new UrlSession(configuration);

        await session.CreateDataTask(new UrlRequest(new Uri("http://example.test/a")) { HttpShouldHandleCookies = false }).RunAsync();
        await session.CreateDataTask(new Uri("http://example.test/a")).RunAsync();

        target.Select(r => r.Headers.GetValueOrDefault("Cookie")).Should().Equal(null, "sid=1");
    }

    [Fact]
    public async Task A_Secure_cookie_set_over_http_is_ignored_and_never_sent_to_https()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/login", () =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.Add("Set-Cookie", "sid=planted; Secure; Path=/");
            response.Headers.Add("Set-Cookie", "theme=dark; Path=/");
            return response;
        });
        var home = mock.Record("https://example.test/home", () => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = TestSessions.Mock(mock);

        await session.CreateDataTask(new Uri("http://example.test/login")).RunAsync();
        await session.CreateDataTask(new Uri("https://example.test/home")).RunAsync();

        home.Single().Headers["Cookie"].Should().Be("theme=dark");
    }

    [Fact]
    public async Task A_Secure_cookie_set_over_https_is_sent_back_over_https()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("https://example.test/login", () =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.Add("Set-Cookie", "sid=abc; Secure; Path=/");
            return response;
        });
        var home = mock.Record("https://example.test/home", () => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = TestSessions.Mock(mock);

        await session.CreateDataTask(new Uri("https://example.test/login")).RunAsync();
        await session.CreateDataTask(new Uri("https://example.test/home")).RunAsync();

        home.Single().Headers["Cookie"].Should().Be("sid=abc");
    }
}
