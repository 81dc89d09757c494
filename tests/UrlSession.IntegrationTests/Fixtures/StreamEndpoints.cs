using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace UrlSessions.IntegrationTests.Fixtures;

/// <summary>Endpoints that switch protocols (101) and then speak over the raw connection, for stream tasks.</summary>
internal static class StreamEndpoints
{
    public const string UpgradeToken = "x-echo";

    public static void Map(WebApplication app)
    {
        // Echoes every byte back until the client stops writing (or the connection ends).
        app.MapGet("/upgrade/echo", (HttpContext context) => UpgradeAsync(context, static async connection =>
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await connection.ReadAsync(buffer)) > 0)
            {
                await connection.WriteAsync(buffer.AsMemory(0, read));
                await connection.FlushAsync();
            }
        }));

        // Greets, reads lines until "bye", answers "goodbye" and closes the connection itself.
        app.MapGet("/upgrade/bye", (HttpContext context) => UpgradeAsync(context, static async connection =>
        {
            await connection.WriteAsync("hello\n"u8.ToArray());
            await connection.FlushAsync();
            var received = new StringBuilder();
            var buffer = new byte[1024];
            while (!received.ToString().Contains("bye\n", StringComparison.Ordinal))
            {
                var read = await connection.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await connection.WriteAsync("goodbye\n"u8.ToArray());
            await connection.FlushAsync();
        }));
    }

    private static async Task UpgradeAsync(HttpContext context, Func<Stream, Task> converse)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || context.Request.Headers.Upgrade != UpgradeToken)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = UpgradeToken;
            return;
        }

        context.Response.Headers.Upgrade = UpgradeToken;
        await using var connection = await upgrade.UpgradeAsync();
        await converse(connection);
    }
}
