// Fetch: a wget-like downloader on UrlSession's DownloadTask.
//   dotnet run --project samples/Fetch -- <url> [-o file]
//   dotnet run --project samples/Fetch -- --selftest
// Ctrl+C pauses: the resume blob is saved beside the output as <output>.resume, and running the same
// command again continues from there. --selftest does it all against an embedded loopback server.
using UrlSessions.Samples.Fetch;

if (args is ["--selftest"])
{
    return await SelfTest.RunAsync();
}

Uri? url = null;
string? output = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "-o" or "--output" && i + 1 < args.Length)
    {
        output = args[++i];
    }
    else if (url is null && Uri.TryCreate(args[i], UriKind.Absolute, out var parsed))
    {
        url = parsed;
    }
    else
    {
        return Usage($"unexpected argument '{args[i]}'");
    }
}

if (url is null)
{
    return Usage("no URL given");
}

output ??= Fetcher.DefaultOutputName(url);

// Ctrl+C pauses instead of killing the process: e.Cancel keeps it alive long enough to save the blob.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupt.Cancel();
};

var outcome = await Fetcher.RunAsync(url, output, interrupt.Token);
return (int)outcome;

static int Usage(string problem)
{
    Console.Error.WriteLine($"fetch: {problem}");
    Console.Error.WriteLine("usage: fetch <url> [-o file]   |   fetch --selftest");
    return 2;
}
