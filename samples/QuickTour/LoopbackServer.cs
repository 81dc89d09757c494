using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UrlSessions.Samples.QuickTour;

/// <summary>A Kestrel server on 127.0.0.1 and a free port: the tour never leaves this machine.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri this[string path] => new(BaseAddress, path);

    public static async Task<LoopbackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();

        app.MapGet("/hello", () => "Hello from the loopback server!");
        app.MapGet("/json", () => Results.Json(new { name = "UrlSession", kind = "data task", ok = true }));
        app.MapGet("/redirect", () => Results.Redirect("/redirect/2"));
        app.MapGet("/redirect/2", () => Results.Redirect("/hello", permanent: true));
        app.MapGet("/status/{code:int}", (int code) => Results.Text($"status {code}", "text/plain", statusCode: code));
        app.MapGet("/slow-ish", SlowIshAsync);
        app.MapGet("/stall", StallAsync);
        app.MapPost("/upload", UploadAsync);
        app.MapGet("/download/tour.bin", () => Results.Bytes(DownloadBody, "application/octet-stream", enableRangeProcessing: true, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue("\"tour-v1\"")));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>What /download/tour.bin serves: 512 KiB with a strong ETag and byte ranges.</summary>
    public static byte[] DownloadBody { get; } = Enumerable.Range(0, 512 * 1024).Select(i => (byte)(i % 251)).ToArray();

    /// <summary>Reads the whole request body and answers with its length, SHA-256 and Content-Type.</summary>
    private static async Task<IResult> UploadAsync(HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long length = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        return Results.Json(new { length, sha256 = Convert.ToHexStringLower(hash.GetHashAndReset()), contentType = request.ContentType });
    }

    /// <summary>A chunked body (no Content-Length): 6 pieces of 16 KiB, 40 ms apart.</summary>
    private static async Task SlowIshAsync(HttpContext context)
    {
        context.Response.ContentType = "application/octet-stream";
        var piece = new byte[16 * 1024];
        for (var i = 0; i < 6; i++)
        {
            Array.Fill(piece, (byte)('a' + i));
            await context.Response.Body.WriteAsync(piece, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(40, context.RequestAborted);
        }
    }

    /// <summary>Sends the headers, then nothing until the client gives up.</summary>
    private static async Task StallAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client cancelled: that is the point of this endpoint.
        }
    }
}
