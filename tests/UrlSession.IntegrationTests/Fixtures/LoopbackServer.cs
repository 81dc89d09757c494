using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UrlSessions.IntegrationTests.Fixtures;

/// <summary>
/// A Kestrel server on 127.0.0.1 with random ports: plain HTTP/1.1 and TLS with HTTP/1.1 + HTTP/2 (a
/// self-signed certificate made at startup), plus a raw TCP server for malformed responses and a closed
/// port. Use it as a class fixture; gates are keyed by id so tests can run in parallel.
/// </summary>
/// <remarks>
/// Endpoints: /hello, /echo (JSON: method, path, protocol, headers, body length, SHA-256, text),
/// /redirect/{code}?to=, /redirect-chain/{n}, /status/{code}, /bytes/{n}, /chunked/{n}, /stream/{n} (huge),
/// /gzip, /deflate, /br, /bad-gzip, /drop/{k}[?id=] (aborts after k bytes; with id, once the test releases
/// <see cref="GateRegistry.Stall"/>), /stall?id=, /slow?id=, /set-cookie?name=&amp;value=, /cookie-echo,
/// /auth/basic, /connections?id=. Any request with ?probe=id is counted (<see cref="GateRegistry.Hits"/>).
/// </remarks>
public sealed class LoopbackServer : IAsyncLifetime
{
    private WebApplication? _app;
    private Uri? _http;
    private Uri? _https;

    public GateRegistry Gates { get; } = new();

    public RawServer Raw { get; } = new();

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate => TestCertificate.Server;

    public int HttpPort => _http!.Port;

    public int HttpsPort => _https!.Port;

    /// <summary>A port nothing listens on: bound once, then closed.</summary>
    public int ClosedPort { get; private set; }

    public Uri HttpUrl(string pathAndQuery) => new(_http!, pathAndQuery);

    public Uri HttpsUrl(string pathAndQuery) => new(_https!, pathAndQuery);

    /// <summary>The same endpoint under the other origin name (localhost instead of 127.0.0.1).</summary>
    public Uri LocalhostHttpUrl(string pathAndQuery) => new($"http://localhost:{HttpPort}{pathAndQuery}");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http1AndHttp2;
                o.UseHttps(TestCertificate.Server);
            });
        });
        _app = builder.Build();
        LoopbackEndpoints.Map(_app, Gates);
        UploadEndpoints.Map(_app, Gates);
        DownloadEndpoints.Map(_app, Gates);
        StreamEndpoints.Map(_app);
        await _app.StartAsync();

        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        _http = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        _https = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));

        Raw.Start();
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            ClosedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
    }

    public async Task DisposeAsync()
    {
        await Raw.DisposeAsync();
        if (_app is not null)
        {
            // Handlers still waiting on a gate (a test failed before releasing it) must not hold up the run.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(patience.Token);
            await _app.DisposeAsync();
        }
    }
}
