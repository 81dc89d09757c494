using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace UrlSessions.IntegrationTests.Fixtures;

/// <summary>The loopback server's endpoints (minimal APIs).</summary>
internal static class LoopbackEndpoints
{
    public const string CompressedText = "hello compressed world, hello compressed world, hello compressed world";
    public const string BasicUser = "user";
    public const string BasicPassword = "pa55word";

    public static void Map(WebApplication app, GateRegistry gates)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Query["probe"] is [{ } probe])
            {
                gates.Hit(probe);
            }

            await next(context);
        });

        app.MapMethods("/hello", ["GET", "HEAD"], () => Results.Text("hello", "text/plain"));
        app.Map("/echo", EchoAsync);
        app.Map("/redirect/{code:int}", (HttpContext context, int code) =>
        {
            context.Response.StatusCode = code;
            context.Response.Headers.Location = context.Request.Query["to"] is [{ } to] ? to : "/echo";
        });
        app.Map("/redirect-chain/{n:int}", (HttpContext context, int n) =>
        {
            if (n <= 0)
            {
                return Results.Text("done", "text/plain");
            }

            context.Response.Headers.Location = $"/redirect-chain/{n - 1}";
            return Results.StatusCode(302);
        });
        app.Map("/status/{code:int}", (int code) => Results.Text($"status {code}", "text/plain", statusCode: code));
        app.MapGet("/bytes/{n:int}", async (HttpContext context, int n) =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = n;
            await context.Response.Body.WriteAsync(Pattern(n));
        });
        app.MapGet("/stream/{n:long}", async (HttpContext context, long n) =>
        {
            // A huge body written from one reused 64 KiB block, so the server itself stays small.
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = n;
            var block = Pattern(64 * 1004);
            for (long sent = 0; sent < n;)
            {
                var size = (int)Math.Min(block.Length, n - sent);
                await context.Response.Body.WriteAsync(block.AsMemory(0, size), context.RequestAborted);
                sent += size;
            }
        });
        app.MapGet("/chunked/{n:int}", async (HttpContext context, int n) =>
        {
            context.Response.ContentType = "application/octet-stream";
            var bytes = Pattern(n);
            for (var offset = 0; offset < n; offset += 1000)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(1000, n - offset)));
                await context.Response.Body.FlushAsync();
            }
        });
        app.MapGet("/gzip", (HttpContext context) => Compressed(context, "gzip", s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true)));
        app.MapGet("/deflate", (HttpContext context) => Compressed(context, "deflate", s => new ZLibStream(s, CompressionLevel.Optimal, leaveOpen: true)));
        app.MapGet("/br", (HttpContext context) => Compressed(context, "br", s => new BrotliStream(s, CompressionLevel.Optimal, leaveOpen: true)));
        // A br body cut short, sent complete for its (shorter) Content-Length: only the decoder can tell.
        app.MapGet("/truncated-br", (HttpContext context) => Compressed(context, "br", s => new BrotliStream(s, CompressionLevel.Optimal, leaveOpen: true), cut: 5));
        app.MapGet("/bad-gzip", async (HttpContext context) =>
        {
            var garbage = Encoding.ASCII.GetBytes("this is certainly not a gzip stream, not at all");
            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = garbage.Length;
            await context.Response.Body.WriteAsync(garbage);
        });
        app.MapGet("/drop/{k:int}", async (HttpContext context, int k) =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = k + 100_000;
            await context.Response.Body.WriteAsync(Pattern(k));
            await context.Response.Body.FlushAsync();
            if (context.Request.Query["id"] is [{ } id])
            {
                // Abort only once the test saw the first k bytes: an early reset could discard them unread.
                var gate = gates.Stall(id);
                gate.MarkStarted();
                await gate.Released;
                gate.MarkEnded();
            }

            context.Abort();
        });
        app.MapGet("/stall", StallAsync);
        app.MapGet("/slow", SlowAsync);
        app.MapGet("/set-cookie", (HttpContext context) =>
        {
            var name = context.Request.Query["name"] is [{ } n] ? n : "session";
            var value = context.Request.Query["value"] is [{ } v] ? v : "abc";
            context.Response.Headers.Append("Set-Cookie", $"{name}={value}; Path=/");
            return Results.Text("cookie set", "text/plain");
        });
        app.MapGet("/cookie-echo", (HttpContext context) => Results.Text(context.Request.Headers.Cookie.ToString(), "text/plain"));
        app.MapGet("/auth/basic", (HttpContext context) =>
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BasicUser}:{BasicPassword}"));
            if (context.Request.Headers.Authorization == expected)
            {
                return Results.Text($"authenticated as {BasicUser}", "text/plain");
            }

            context.Response.Headers.WWWAuthenticate = "Basic realm=\"test\"";
            return Results.Text("who are you?", "text/plain", statusCode: 401);
        });
        app.MapGet("/connections", async (HttpContext context) =>
        {
            var id = context.Request.Query["id"].ToString();
            var inFlight = await gates.Connections(id).EnterAsync(context.Connection.Id, context.RequestAborted);
            return Results.Text(inFlight.ToString(System.Globalization.CultureInfo.InvariantCulture), "text/plain");
        });

        async Task StallAsync(HttpContext context)
        {
            var gate = gates.Stall(context.Request.Query["id"].ToString());
            try
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(Pattern(100));
                await context.Response.Body.FlushAsync();
                gate.MarkStarted();
                await gate.Released.WaitAsync(context.RequestAborted);
                await context.Response.Body.WriteAsync(Pattern(100));
            }
            finally
            {
                gate.MarkEnded();
            }
        }

        async Task SlowAsync(HttpContext context)
        {
            var gate = gates.Slow(context.Request.Query["id"].ToString());
            context.Response.ContentType = "application/octet-stream";
            await context.Response.StartAsync();
            await context.Response.Body.FlushAsync();
            gate.MarkStarted();
            await foreach (var chunk in gate.Chunks.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.Body.WriteAsync(chunk);
                await context.Response.Body.FlushAsync();
                gate.MarkFlushed();
            }
        }
    }

    /// <summary>n deterministic bytes: byte i is i mod 251.</summary>
    public static byte[] Pattern(int n)
    {
        var bytes = new byte[n];
        for (var i = 0; i < n; i++)
        {
            bytes[i] = (byte)(i % 251);
        }

        return bytes;
    }

    private static async Task EchoAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in context.Request.Headers)
        {
            headers[name] = values.ToString();
        }

        await Results.Json(new EchoResult(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Protocol,
            headers,
            body.Length,
            Convert.ToHexString(SHA256.HashData(body)),
            Encoding.UTF8.GetString(body))).ExecuteAsync(context);
    }

    private static async Task Compressed(HttpContext context, string encoding, Func<Stream, Stream> compressor, int cut = 0)
    {
        using var buffer = new MemoryStream();
        await using (var compressing = compressor(buffer))
        {
            await compressing.WriteAsync(Encoding.UTF8.GetBytes(CompressedText));
        }

        context.Response.Headers.ContentEncoding = encoding;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = buffer.Length - cut;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length - cut));
    }
}
