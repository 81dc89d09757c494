using System.Net;
using System.Security.Authentication;
using Microsoft.Extensions.Time.Testing;

namespace UrlSessions.Tests.Configuration;

public sealed class SessionConfigurationCloneTests
{
    [Fact]
    public void Clone_copies_every_value()
    {
        var original = SessionConfiguration.Ephemeral;
        original.RequestCachePolicy = RequestCachePolicy.ReloadIgnoringLocalCacheData;
        original.TimeoutIntervalForRequest = TimeSpan.FromSeconds(7);
        original.TimeoutIntervalForResource = TimeSpan.FromMinutes(3);
        original.HttpMaximumConnectionsPerHost = 2;
        original.HttpShouldSetCookies = false;
        original.HttpCookieAcceptPolicy = CookieAcceptPolicy.Never;
        original.WaitsForConnectivity = true;
        original.IsDiscretionary = true;
        original.SessionSendsLaunchEvents = false;
        original.AllowsInsecureRedirects = true;
        original.TlsMinimumSupportedProtocolVersion = SslProtocols.Tls13;
        original.HttpAdditionalHeaders["X-Api-Key"] = "k";

        var copy = original.Clone();

        copy.Should().NotBeSameAs(original);
        copy.Should().BeEquivalentTo(original, o => o.Excluding(c => c.HttpAdditionalHeaders));
        copy.HttpAdditionalHeaders.Should().Equal(original.HttpAdditionalHeaders);
    }

    [Fact]
    public void Clone_copies_the_header_dictionary()
    {
        var original = SessionConfiguration.Default;
        original.HttpAdditionalHeaders["X-A"] = "1";

        var copy = original.Clone();
        copy.HttpAdditionalHeaders["X-B"] = "2";
        original.HttpAdditionalHeaders["X-A"] = "changed";

        copy.HttpAdditionalHeaders.Should().NotBeSameAs(original.HttpAdditionalHeaders);
        copy.HttpAdditionalHeaders.Should().Equal(new Dictionary<string, string> { ["X-A"] = "1", ["X-B"] = "2" });
        original.HttpAdditionalHeaders.Should().NotContainKey("X-B");
    }

    [Fact]
    public void Clone_keeps_header_names_case_insensitive()
    {
        var original = SessionConfiguration.Default;
        original.HttpAdditionalHeaders["X-Token"] = "1";

        var copy = original.Clone();

        copy.HttpAdditionalHeaders.Should().ContainKey("x-token");
    }

    [Fact]
    public void Clone_shares_stores_and_services_by_reference()
    {
        var original = SessionConfiguration.Ephemeral;
        var time = new FakeTimeProvider();
        var proxy = new WebProxy("http://proxy.test:8080");
        Func<HttpMessageHandler> factory = () => new HttpClientHandler();
        original.TimeProvider = time;
        original.Proxy = proxy;
        original.HttpMessageHandlerFactory = factory;

        var copy = original.Clone();

        copy.HttpCookieStorage.Should().BeSameAs(original.HttpCookieStorage);
        copy.UrlCache.Should().BeSameAs(original.UrlCache);
        copy.UrlCredentialStorage.Should().BeSameAs(original.UrlCredentialStorage);
        copy.TimeProvider.Should().BeSameAs(time);
        copy.Proxy.Should().BeSameAs(proxy);
        copy.HttpMessageHandlerFactory.Should().BeSameAs(factory);
    }

    [Fact]
    public void Clone_keeps_kind_and_identifier()
    {
        var copy = SessionConfiguration.Background("id-1").Clone();

        copy.Kind.Should().Be(SessionKind.Background);
        copy.Identifier.Should().Be("id-1");
    }
}
