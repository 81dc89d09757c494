using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UrlSessions.Benchmarks;

/// <summary>
/// An in-process Kestrel server on 127.0.0.1 (port chosen by the OS), HTTP/1.1.
/// <c>/bytes/{n}</c> answers n bytes with Content-Length set, written from one shared 64 KiB buffer
/// (so a 1 GiB body allocates nothing on the server side).
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private static readonly byte[] Chunk = CreateChunk(64 * 1024);
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri BytesUrl(long count) => new(BaseAddress, "/bytes/" + count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary><c>/discard</c>: reads the request body, drops it and answers its length as text.</summary>
    public Uri DiscardUrl => new(BaseAddress, "/discard");

    public static async Task<LoopbackServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxResponseBufferSize = 1024 * 1024;
            o.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        app.Run(ServeAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (path == "/discard")
        {
            await DiscardAsync(context).ConfigureAwait(false);
            return;
        }

        if (!path.StartsWith("/bytes/", StringComparison.Ordinal) || !long.TryParse(path.AsSpan(7), out var count) || count < 0)
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = count;
        var writer = context.Response.BodyWriter;
        var left = count;
        while (left > 0)
        {
            var n = (int)Math.Min(left, Chunk.Length);
            var result = await writer.WriteAsync(Chunk.AsMemory(0, n), context.RequestAborted).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted)
            {
                return;
            }

            left -= n;
        }
    }

    private static async Task DiscardAsync(HttpContext context)
    {
        // Straight from Kestrel's pipe: no copy, nothing allocated per chunk.
        var reader = context.Request.BodyReader;
        long total = 0;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            total += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                break;
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture), context.RequestAborted).ConfigureAwait(false);
    }

    private static byte[] CreateChunk(int size)
    {
        var chunk = new byte[size];
        for (var i = 0; i < chunk.Length; i++)
        {
            chunk[i] = (byte)('a' + (i % 26));
        }

        return chunk;
    }
}
