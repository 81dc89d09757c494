using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Configuration;

/// <summary>A session runs on what its configuration said when the session was created; the caller's object stays the caller's.</summary>
public sealed class SessionConfigurationIsolationTests
{
    [Fact]
    public async Task Changing_the_callers_object_after_creating_a_session_does_not_affect_it()
    {
        var configuration = TestSessions.Configuration(new MockHttpMessageHandler());
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(5);
        configuration.HttpAdditionalHeaders["X-A"] = "1";
        await using var session = new UrlSession(configuration);

        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(9);
        configuration.HttpAdditionalHeaders["X-A"] = "changed";
        configuration.HttpAdditionalHeaders["X-B"] = "2";
        configuration.AllowsInsecureRedirects = true;

        session.Settings.TimeoutIntervalForRequest.Should().Be(TimeSpan.FromSeconds(5));
        session.Settings.HttpAdditionalHeaders.Should().Equal(new[] { KeyValuePair.Create("X-A", "1") });
        session.Settings.AllowsInsecureRedirects.Should().BeFalse();
        session.Configuration.TimeoutIntervalForRequest.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Session_configuration_returns_a_changeable_copy()
    {
        await using var session = new UrlSession(TestSessions.Configuration(new MockHttpMessageHandler()));

        var copy = session.Configuration;
        copy.TimeoutIntervalForRequest = TimeSpan.FromSeconds(3);
        copy.HttpAdditionalHeaders["X-New"] = "1";

        copy.Should().NotBeSameAs(session.Configuration);
        session.Configuration.TimeoutIntervalForRequest.Should().Be(TimeSpan.FromSeconds(60));
        session.Configuration.HttpAdditionalHeaders.Should().BeEmpty();
        session.Settings.HttpAdditionalHeaders.Should().BeEmpty();
    }

    [Fact]
    public async Task Session_configuration_shares_the_stores_of_the_session()
    {
        var configuration = TestSessions.Configuration(new MockHttpMessageHandler());
        await using var session = new UrlSession(configuration);

        session.Configuration.HttpCookieStorage.Should().BeSameAs(configuration.HttpCookieStorage);
        session.Configuration.UrlCache.Should().BeSameAs(configuration.UrlCache);
        session.Services.UrlCredentialStorage.Should().BeSameAs(configuration.UrlCredentialStorage);
    }

    [Fact]
    public void Creating_a_session_checks_tls_minimum_is_not_above_maximum()
    {
        var configuration = TestSessions.Configuration(new MockHttpMessageHandler());
        configuration.TlsMinimumSupportedProtocolVersion = System.Security.Authentication.SslProtocols.Tls13;
        configuration.TlsMaximumSupportedProtocolVersion = System.Security.Authentication.SslProtocols.Tls12;

        var create = () => new UrlSession(configuration);

        create.Should().Throw<ArgumentException>().WithMessage("*TlsMinimumSupportedProtocolVersion*above*TlsMaximumSupportedProtocolVersion*");
    }

    [Fact]
    public void Creating_a_session_rejects_an_additional_header_with_CR_LF()
    {
        var configuration = TestSessions.Configuration(new MockHttpMessageHandler());
        configuration.HttpAdditionalHeaders["X-Evil"] = "a\r\nInjected: 1";

        var create = () => new UrlSession(configuration);

        create.Should().Throw<ArgumentException>().WithMessage("*X-Evil*CR, LF*");
    }
}
