using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace UrlSessions.Samples.Fetch;

/// <summary>
/// --selftest: a loopback Kestrel server (127.0.0.1, a free port) serves 4 MiB with a strong ETag and byte
/// ranges at about 2 MiB/s. Fetch downloads it, "presses Ctrl+C" at 1.5 MiB, runs again from the .resume
/// file, and checks the result's SHA-256 against the server's bytes. No network needed.
/// </summary>
internal static class SelfTest
{
    private const int Size = 4 * 1024 * 1024;
    private const int BytesPerSecond = 2 * 1024 * 1024;
    private const long InterruptAt = 3 * 512 * 1024;

    public static async Task<int> RunAsync()
    {
        var content = new byte[Size];
        new Random(42).NextBytes(content);
        var etag = new EntityTagHeaderValue("\"selftest-v1\"");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();

        // Slow the body down so a pause lands mid-way: every response body goes through a throttled stream.
        app.Use(async (context, next) =>
        {
            context.Response.Body = new ThrottledStream(context.Response.Body, BytesPerSecond);
            await next(context);
        });
        app.MapGet("/file.bin", () => Results.Bytes(content, "application/octet-stream", enableRangeProcessing: true, entityTag: etag));
        await app.StartAsync();

        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var url = new Uri(baseAddress, "/file.bin");
        var output = Path.Combine(Path.GetTempPath(), $"fetch-selftest-{Environment.ProcessId}.bin");
        File.Delete(output);
        File.Delete(output + ".resume");
        Console.WriteLine($"selftest: loopback server at {baseAddress} serving {Size:N0} bytes with ETag {etag}");

        try
        {
            // Run 1: interrupted at 1.5 MiB, as Ctrl+C would.
            using var interrupt = new CancellationTokenSource();
            var firstOutcome = await Fetcher.RunAsync(url, output, interrupt.Token, written =>
            {
                if (written >= InterruptAt)
                {
                    interrupt.Cancel();
                }
            });
            Console.WriteLine($"selftest: run 1 ended {firstOutcome}, {(File.Exists(output + ".resume") ? "a .resume file exists" : "no .resume file")}");
            if (firstOutcome != FetchOutcome.Interrupted || !File.Exists(output + ".resume"))
            {
                return Fail("run 1 should have been interrupted with resume data");
            }

            // Run 2: the same command again continues from the .resume file.
            var secondOutcome = await Fetcher.RunAsync(url, output, CancellationToken.None);
            if (secondOutcome != FetchOutcome.Done || File.Exists(output + ".resume"))
            {
                return Fail($"run 2 ended {secondOutcome}");
            }

            var expected = Convert.ToHexString(SHA256.HashData(content));
            var actual = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(output)));
            Console.WriteLine($"selftest: SHA-256 {actual[..16]}… {(actual == expected ? "matches" : "DIFFERS FROM")} the server's");
            return actual == expected ? 0 : Fail("the downloaded file differs");
        }
        finally
        {
            File.Delete(output);
            File.Delete(output + ".resume");
            await app.StopAsync();
        }
    }

    private static int Fail(string why)
    {
        Console.WriteLine($"selftest: FAILED: {why}");
        return 1;
    }
}
