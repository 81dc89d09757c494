using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UrlSessions.IntegrationTests.Fixtures;
using UrlSessions.IntegrationTests.Helpers;

namespace UrlSessions.IntegrationTests.Transport;

/// <summary>The configuration's TLS versions and proxy reach the wire.</summary>
public sealed class TlsVersionAndProxyTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Theory]
    [InlineData(SslProtocols.Tls12, SslProtocols.Tls12, "Tls12")]
    [InlineData(SslProtocols.Tls12, SslProtocols.Tls13, "Tls13")]
    [InlineData(SslProtocols.Tls13, SslProtocols.Tls13, "Tls13")]
    public async Task Negotiated_TLS_version_stays_within_the_configured_range(SslProtocols minimum, SslProtocols maximum, string expected)
    {
        await using var tls = await TlsServer.StartAsync(SslProtocols.Tls12 | SslProtocols.Tls13);
        await using var session = TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = TestCertificate.Server }, c =>
        {
            c.TlsMinimumSupportedProtocolVersion = minimum;
            c.TlsMaximumSupportedProtocolVersion = maximum;
        });

        var (data, _) = await session.DataAsync(tls.Url).Within();

        System.Text.Encoding.ASCII.GetString(data).Should().Be(expected);
    }

    [Fact]
    public async Task Server_below_the_configured_minimum_fails_with_SecureConnectionFailed()
    {
        await using var tls = await TlsServer.StartAsync(SslProtocols.Tls12);
        await using var session = TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = TestCertificate.Server }, c => c.TlsMinimumSupportedProtocolVersion = SslProtocols.Tls13);

        var act = () => session.DataAsync(tls.Url);

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.SecureConnectionFailed);
    }

    [Fact]
    public async Task Configured_proxy_carries_the_request()
    {
        // The loopback server plays the proxy: it answers the absolute-form request for a host that does not exist.
        await using var session = TestSessions.Ephemeral(configure: c => c.Proxy = new WebProxy(server.HttpUrl("/")));

        var (data, response) = await session.DataAsync(new Uri("http://no-such-host.invalid/hello")).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        System.Text.Encoding.UTF8.GetString(data).Should().Be("hello");
    }

    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private TlsServer(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<TlsServer> StartAsync(SslProtocols allowed)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                o.UseHttps(https =>
                {
                    https.ServerCertificate = TestCertificate.Server;
                    https.SslProtocols = allowed;
                });
            }));
            var app = builder.Build();
            app.MapGet("/tls", (HttpContext context) => context.Features.Get<ITlsHandshakeFeature>()!.Protocol.ToString());
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new TlsServer(app, new Uri(new Uri(address), "/tls"));
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
