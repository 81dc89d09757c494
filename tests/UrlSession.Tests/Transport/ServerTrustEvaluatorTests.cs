using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class ServerTrustEvaluatorTests
{
    [Fact]
    public async Task Not_yet_valid_or_expired_is_decided_by_the_sessions_clock()
    {
        var now = DateTimeOffset.UtcNow;
        using var certificate = SelfSigned(now.AddDays(1), now.AddDays(10));
        using var chain = new X509Chain { ChainPolicy = { RevocationMode = X509RevocationMode.NoCheck } };
        chain.Build(certificate);
        chain.ChainStatus.Select(s => s.Status).Should().Contain(X509ChainStatusFlags.NotTimeValid);

        var atRealTime = await ClassifyAt(new FakeTimeProvider(now), chain);
        var afterExpiry = await ClassifyAt(new FakeTimeProvider(now.AddDays(20)), chain);

        atRealTime.Code.Should().Be(UrlErrorCode.ServerCertificateNotYetValid);
        afterExpiry.Code.Should().Be(UrlErrorCode.ServerCertificateHasBadDate);
    }

    [Fact]
    public void Trust_credential_for_the_servers_certificate_trusts_it_and_any_other_does_not()
    {
        var now = DateTimeOffset.UtcNow;
        using var server = SelfSigned(now.AddDays(-1), now.AddDays(1));
        using var other = SelfSigned(now.AddDays(-1), now.AddDays(1));
        var platform = new ServerTrustEvaluator.Rejection(UrlErrorCode.ServerCertificateUntrusted, "self-signed");

        ServerTrustEvaluator.Verdict(new(AuthChallengeDisposition.UseCredential, UrlCredential.ForTrust(server)), server, platform).Should().BeNull();
        ServerTrustEvaluator.Verdict(new(AuthChallengeDisposition.UseCredential, UrlCredential.ForTrust(other)), server, platform).Should().Be(platform);
        ServerTrustEvaluator.Verdict(new(AuthChallengeDisposition.UseCredential, UrlCredential.ForUser("u", "p")), server, platformRejection: null)!
            .Code.Should().Be(UrlErrorCode.ServerCertificateUntrusted);
    }

    [Theory]
    [InlineData(AuthChallengeDisposition.PerformDefaultHandling)]
    [InlineData(AuthChallengeDisposition.RejectProtectionSpace)]
    public void Default_handling_and_rejecting_the_space_keep_the_platforms_verdict(AuthChallengeDisposition disposition)
    {
        var platform = new ServerTrustEvaluator.Rejection(UrlErrorCode.ServerCertificateHasUnknownRoot, "unknown root");

        ServerTrustEvaluator.Verdict(new(disposition), certificate: null, platform).Should().Be(platform);
        ServerTrustEvaluator.Verdict(new(disposition), certificate: null, platformRejection: null).Should().BeNull();
    }

    [Fact]
    public void Cancelling_the_challenge_is_Cancelled_even_for_a_certificate_the_platform_trusts()
    {
        ServerTrustEvaluator.Verdict(new(AuthChallengeDisposition.CancelAuthenticationChallenge), certificate: null, platformRejection: null)!
            .Code.Should().Be(UrlErrorCode.Cancelled);
    }

    [Theory]
    [InlineData("2.0", HttpVersionPolicy.RequestVersionOrLower, "h2,http/1.1")]
    [InlineData("2.0", HttpVersionPolicy.RequestVersionExact, "h2")]
    [InlineData("1.1", HttpVersionPolicy.RequestVersionOrLower, "")]
    [InlineData("1.1", HttpVersionPolicy.RequestVersionOrHigher, "h2,http/1.1")]
    public void Alpn_offers_what_SocketsHttpHandler_would_for_the_request(string version, HttpVersionPolicy policy, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.test:8443/") { Version = Version.Parse(version), VersionPolicy = policy };

        var options = ServerTrustEvaluator.ClientOptions(request, SslProtocols.Tls12 | SslProtocols.Tls13);

        string.Join(",", options.ApplicationProtocols?.Select(p => p.ToString()) ?? []).Should().Be(expected);
        options.EnabledSslProtocols.Should().Be(SslProtocols.Tls12 | SslProtocols.Tls13);
        options.TargetHost.Should().Be("example.test");
    }

    [Theory]
    [InlineData("other.test:8443", "other.test")]
    [InlineData("other.test", "other.test")]
    [InlineData("[::1]:8443", "[::1]")]
    public void The_tls_host_is_the_Host_headers_when_the_request_sets_one(string host, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.test/");
        request.Headers.Host = host;

        ServerTrustEvaluator.ClientOptions(request, SslProtocols.None).TargetHost.Should().Be(expected);
    }

    private static async Task<ServerTrustEvaluator.Rejection> ClassifyAt(TimeProvider time, X509Chain chain)
    {
        await using var session = TestSessions.Mock(new MockHttpMessageHandler(), time: time);
        return session.Transport.TrustEvaluator.Classify(SslPolicyErrors.RemoteCertificateChainErrors, chain);
    }

    private static X509Certificate2 SelfSigned(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=trust unit test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(notBefore, notAfter);
    }
}
