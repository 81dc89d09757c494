using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class RedirectSecurityTests
{
    private static readonly UrlRequest WithSecrets = new UrlRequest(new Uri("https://example.test/start"))
        .WithHeader("Authorization", "Bearer secret")
        .WithHeader("Cookie", "session=1")
        .WithHeader("X-Other", "kept");

    private static HttpResponseMessage Ok() => new(HttpStatusCode.OK) { Content = new StringContent("ok") };

    [Theory]
    [InlineData("https://other.test/target")]
    [InlineData("https://example.test:8443/target")]
    public async Task Authorization_and_Cookie_are_dropped_to_another_origin(string location)
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("https://example.test/start", () => RedirectMock.Redirect(302, location));
        var target = mock.Record(location, Ok);
        await using var session = TestSessions.Mock(mock);

        var task = session.CreateDataTask(WithSecrets);
        await task.RunAsync();

        task.Error.Should().BeNull();
        var final = target.Single();
        final.Headers.Should().NotContainKey("Authorization").And.NotContainKey("Cookie");
        final.Headers["X-Other"].Should().Be("kept");
    }

    [Fact]
    public async Task Authorization_and_Cookie_are_kept_on_the_same_origin()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("https://example.test/start", () => RedirectMock.Redirect(301, "/target"));
        var target = mock.Record("https://example.test/target", Ok);
        await using var session = TestSessions.Mock(mock);

        await session.CreateDataTask(WithSecrets).RunAsync();

        var final = target.Single();
        final.Headers["Authorization"].Should().Be("Bearer secret");
        final.Headers["Cookie"].Should().Be("session=1");
    }

    [Fact]
    public async Task An_https_to_http_redirect_fails_with_AppTransportSecurityRequiresSecureConnection()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("https://example.test/start", () => RedirectMock.Redirect(302, "http://example.test/target"));
        var target = mock.Record("http://example.test/target", Ok);
        await using var session = TestSessions.Mock(mock);

        var task = session.CreateDataTask(new Uri("https://example.test/start"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.AppTransportSecurityRequiresSecureConnection);
        task.Error.FailingUrl.Should().Be(new Uri("https://example.test/start"));
        target.Should().BeEmpty();
    }

    [Fact]
    public async Task An_https_to_http_redirect_is_followed_when_AllowsInsecureRedirects()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("https://example.test/start", () => RedirectMock.Redirect(302, "http://example.test/target"));
        var target = mock.Record("http://example.test/target", Ok);
        var configuration = TestSessions.Configuration(mock);
        configuration.AllowsInsecureRedirects = true;
        await using var session = new UrlSession(configuration);

        var task = session.CreateDataTask(WithSecrets);
        await task.RunAsync();

        task.Error.Should().BeNull();
        target.Single().Headers.Should().NotContainKey("Authorization", "http is another origin than https");
    }

    [Fact]
    public async Task A_redirect_to_a_non_http_scheme_fails_with_UnsupportedUrl()
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(302, "ftp://example.test/file"));
        await using var session = TestSessions.Mock(mock);

        var task = session.CreateDataTask(new Uri("http://example.test/start"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.UnsupportedUrl);
    }
}
