using System.Security.Authentication;

namespace UrlSessions.Tests.Configuration;

public sealed class SessionConfigurationValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void TimeoutIntervalForRequest_rejects_a_non_positive_value(int seconds)
    {
        var configuration = SessionConfiguration.Default;

        configuration.Invoking(c => c.TimeoutIntervalForRequest = TimeSpan.FromSeconds(seconds))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("A timeout must be positive or Timeout.InfiniteTimeSpan.*");
        configuration.TimeoutIntervalForRequest.Should().Be(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void TimeoutIntervalForResource_rejects_zero()
    {
        var configuration = SessionConfiguration.Default;

        configuration.Invoking(c => c.TimeoutIntervalForResource = TimeSpan.Zero)
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("A timeout must be positive*");
    }

    [Fact]
    public void Timeouts_accept_infinite()
    {
        var configuration = SessionConfiguration.Default;

        configuration.TimeoutIntervalForRequest = Timeout.InfiniteTimeSpan;
        configuration.TimeoutIntervalForResource = Timeout.InfiniteTimeSpan;

        configuration.TimeoutIntervalForRequest.Should().Be(Timeout.InfiniteTimeSpan);
        configuration.TimeoutIntervalForResource.Should().Be(Timeout.InfiniteTimeSpan);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void HttpMaximumConnectionsPerHost_must_be_at_least_one(int value)
    {
        var configuration = SessionConfiguration.Default;

        configuration.Invoking(c => c.HttpMaximumConnectionsPerHost = value)
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*greater than or equal to '1'*");
        configuration.HttpMaximumConnectionsPerHost.Should().Be(6);
    }

    [Theory]
    [InlineData(SslProtocols.None)]
#pragma warning disable SYSLIB0039, CA5397 // obsolete TLS versions are exactly what must be refused
    [InlineData(SslProtocols.Tls11)]
    [InlineData(SslProtocols.Tls)]
#pragma warning restore SYSLIB0039, CA5397
    [InlineData(SslProtocols.Tls12 | SslProtocols.Tls13)]
    public void Tls_versions_must_name_exactly_one_supported_version(SslProtocols value)
    {
        var configuration = SessionConfiguration.Default;

        configuration.Invoking(c => c.TlsMinimumSupportedProtocolVersion = value)
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Name exactly one TLS version: Tls12 or Tls13*");
        configuration.Invoking(c => c.TlsMaximumSupportedProtocolVersion = value)
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Name exactly one TLS version*");
        configuration.TlsMinimumSupportedProtocolVersion.Should().Be(SslProtocols.Tls12);
        configuration.TlsMaximumSupportedProtocolVersion.Should().Be(SslProtocols.Tls13);
    }

    [Fact]
    public void Enum_properties_reject_undefined_values()
    {
        var configuration = SessionConfiguration.Default;

        configuration.Invoking(c => c.RequestCachePolicy = (RequestCachePolicy)42)
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("42 is not a defined RequestCachePolicy*");
        configuration.Invoking(c => c.HttpCookieAcceptPolicy = (CookieAcceptPolicy)42)
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void TimeProvider_rejects_null()
    {
        var configuration = SessionConfiguration.Default;

        configuration.Invoking(c => c.TimeProvider = null!).Should().Throw<ArgumentNullException>();
    }
}
