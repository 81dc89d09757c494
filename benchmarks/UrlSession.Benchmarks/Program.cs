using BenchmarkDotNet.Running;
using UrlSessions.Benchmarks;

// `e2e [MiB] [rounds]`: the 1 GiB end-to-end streaming comparison.
// `alloc [requests]`: a quick per-request time/allocation profile of the small GET, with a sampled type histogram.
// `upload [MiB,MiB] [rounds]` / `download [MiB,MiB] [rounds]`: file uploads and downloads, library vs raw HttpClient.
// Anything else goes to BenchmarkDotNet; with no arguments, every benchmark with the short job.
if (args.Length > 0 && args[0] == "e2e")
{
    return await EndToEnd.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "upload")
{
    return await FileTransfers.UploadAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "download")
{
    return await FileTransfers.DownloadAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "alloc")
{
    return await AllocationProfile.RunAsync(args[1..]);
}

var switcherArgs = args.Length == 0 ? ["--filter", "*", "--job", "short"] : args;
BenchmarkSwitcher.FromAssembly(typeof(SmallGetBenchmarks).Assembly).Run(switcherArgs);
return 0;
