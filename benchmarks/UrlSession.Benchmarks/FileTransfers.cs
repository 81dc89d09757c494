using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace UrlSessions.Benchmarks;

/// <summary>
/// File uploads (issue 3) and file downloads (issue 4) against the loopback server, library vs raw
/// <see cref="HttpClient"/>, side by side in one process: every round runs every variant once, in a rotating
/// order, and prints MB/s, GC-allocated bytes and the peak working set above the run's starting working set.
/// </summary>
internal static class FileTransfers
{
    private const int MiB = 1024 * 1024;
    private static string? _lastDownload;

    /// <summary><c>upload [MiB,MiB...] [rounds]</c> (default <c>256,1024 3</c>).</summary>
    public static async Task<int> UploadAsync(string[] args)
    {
        var (sizes, rounds) = ParseArgs(args, defaultRounds: 3);
        var folder = CreateFolder();
        try
        {
            await using var server = await LoopbackServer.StartAsync();
            using var client = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
            await using var session = new UrlSession(SessionConfiguration.Default);
            var url = server.DiscardUrl;
            PrintHeader("File upload", sizes, rounds, folder);

            var files = new Dictionary<long, string>();
            foreach (var mib in sizes.Append(16))
            {
                files[mib] = CreateTestFile(folder, mib);
            }

            // Warm-up (JIT, connection, tiering): 16 MiB each, not reported.
            await RawUploadAsync(client, url, files[16]);
            await SessionUploadAsync(session, url, files[16]);

            var variants = new (string Name, Func<string, Task<long>> Run)[]
            {
                ("raw HttpClient StreamContent(FileStream)", path => RawUploadAsync(client, url, path)),
                ("UrlSession.UploadAsync(request, path)   ", path => SessionUploadAsync(session, url, path)),
            };

            foreach (var mib in sizes)
            {
                await RunRoundsAsync(variants, mib, rounds, files[mib], afterRun: null);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    /// <summary><c>download [MiB,MiB...] [rounds] [row|row...]</c> (default <c>256,1024 5</c>, every row).</summary>
    public static async Task<int> DownloadAsync(string[] args)
    {
        var (sizes, rounds) = ParseArgs(args, defaultRounds: 5);
        var folder = CreateFolder();
        try
        {
            await using var server = await LoopbackServer.StartAsync();
            using var client = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
            var configuration = SessionConfiguration.Default;
            configuration.DownloadDirectory = folder;
            await using var session = new UrlSession(configuration);
            var target = Path.Combine(folder, "raw.bin");
            var kept = Path.Combine(folder, "kept.bin");
            var buffer = new byte[MiB];
            var curl = FindCurl();
            PrintHeader("File download", sizes, rounds, folder);
            Console.WriteLine(curl is null ? "curl: not found, skipped (apt-get install -y curl to add it)" : $"curl: {curl}");

            var variants = new List<(string Name, Func<Uri, Task<long>> Run)>
            {
                ("raw HttpClient, CopyToAsync 1 MiB (tuned)", u => RawCopyToAsync(client, u, target)),
                ("raw HttpClient, fill 1 MiB, then write   ", u => RawTunedAsync(client, u, target, buffer)),
                ("raw HttpClient, default CopyToAsync      ", u => RawDefaultAsync(client, u, target)),
                ("DownloadAsync, no delegate               ", u => SessionDownloadAsync(session, u, null)),
                ("DownloadAsync, DidWriteData delegate     ", u => SessionDownloadAsync(session, u, new ProgressDelegate())),
                ("completion handler, moves the file       ", u => SessionCompletionHandlerAsync(session, u, kept)),
                ("completion handler, reads the length     ", u => SessionCompletionHandlerAsync(session, u, keepAt: null)),
                ("delegate, DidFinishDownloading moves it  ", u => SessionDelegateAsync(session, u, kept, progress: false)),
                ("delegate + DidWriteData, moves it        ", u => SessionDelegateAsync(session, u, kept, progress: true)),
            };
            if (curl is not null)
            {
                variants.Add(("curl -o (separate process)              ", u => CurlAsync(curl, u, target)));
            }

            if (args.Length > 2)
            {
                // Only the rows whose name contains one of the '|'-separated words; the tuned copy stays the first row.
                var words = args[2].Split('|', StringSplitOptions.RemoveEmptyEntries);
                variants = [variants[0], .. variants.Skip(1).Where(v => words.Any(w => v.Name.Contains(w, StringComparison.OrdinalIgnoreCase)))];
            }

            // Warm-up (JIT, connection, tiering): 32 MiB each, not reported.
            foreach (var (_, run) in variants)
            {
                await run(server.BytesUrl(32L * MiB));
                DeleteQuietly(target);
                if (_lastDownload is { } last)
                {
                    DeleteQuietly(last);
                }
            }

            foreach (var mib in sizes)
            {
                var url = server.BytesUrl(mib * MiB);
                await RunRoundsAsync(variants.Select(v => (v.Name, (Func<Uri, Task<long>>)v.Run)).ToArray(), mib, rounds, url, afterRun: DeleteDownloads);

                void DeleteDownloads()
                {
                    DeleteQuietly(target);
                    if (_lastDownload is { } last)
                    {
                        DeleteQuietly(last);
                        _lastDownload = null;
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    private static async Task RunRoundsAsync<T>((string Name, Func<T, Task<long>> Run)[] variants, long mib, int rounds, T input, Action? afterRun)
    {
        var size = mib * MiB;
        var speeds = variants.Select(_ => new List<double>()).ToArray();
        var growths = variants.Select(_ => new List<double>()).ToArray();
        Console.WriteLine();
        Console.WriteLine($"--- {mib} MiB, {rounds} rounds (ratios against \"{variants[0].Name.Trim()}\", the first row) ---");
        for (var round = 1; round <= rounds; round++)
        {
            // Rotate the order so no variant always runs first or right after the slowest one.
            for (var k = 0; k < variants.Length; k++)
            {
                var i = (k + round - 1) % variants.Length;
                var (speed, growth) = await MeasureAsync($"{mib,5} MiB round {round} {variants[i].Name}", () => variants[i].Run(input), size);
                speeds[i].Add(speed);
                growths[i].Add(growth);
                afterRun?.Invoke();
            }
        }

        Console.WriteLine();
        // The raw rows swap places under load, so each row is also compared with the best raw row of the same round.
        var rawRows = Enumerable.Range(0, variants.Length).Where(i => variants[i].Name.StartsWith("raw", StringComparison.Ordinal)).ToArray();
        var bestRaw = Enumerable.Range(0, rounds).Select(r => rawRows.Max(i => speeds[i][r])).ToList();
        Console.WriteLine($"summary {mib} MiB: median MB/s, median of per-round ratios vs first row and vs the round's best raw row, max peak working-set growth");
        for (var i = 0; i < variants.Length; i++)
        {
            var ratios = speeds[i].Zip(speeds[0], (a, b) => a / b).ToList();
            var vsBest = speeds[i].Zip(bestRaw, (a, b) => a / b).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {variants[i].Name} {Median(speeds[i]),8:F1} MB/s  ratio {Median(ratios):F3}x (min {ratios.Min():F3}, max {ratios.Max():F3})  vs best raw {Median(vsBest):F3}x  growth max {growths[i].Max(),6:F1} MiB"));
        }
    }

    private static async Task<(double Speed, double GrowthMiB)> MeasureAsync(string label, Func<Task<long>> run, long expected)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = Environment.WorkingSet;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        using var sampler = new EndToEnd.WorkingSetSampler();
        var stopwatch = Stopwatch.StartNew();
        var moved = await run();
        stopwatch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var peak = sampler.Stop();
        if (moved != expected)
        {
            throw new InvalidOperationException($"{label}: moved {moved} bytes, expected {expected}.");
        }

        var mbPerSecond = moved / 1e6 / stopwatch.Elapsed.TotalSeconds;
        var growth = (peak - baseline) / (double)MiB;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {stopwatch.Elapsed.TotalSeconds,6:F3} s {mbPerSecond,7:F1} MB/s  GC alloc {allocated,12:N0} B  gen0 {GC.CollectionCount(0) - gen0,3} gen2 {GC.CollectionCount(2) - gen2,2}  WS start {baseline / (double)MiB,6:F1} peak {peak / (double)MiB,6:F1} (+{growth,5:F1}) MiB"));
        return (mbPerSecond, growth);
    }

    private static async Task<long> RawUploadAsync(HttpClient client, Uri url, string path)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        using var response = await client.PostAsync(url, content);
        response.EnsureSuccessStatusCode();
        return long.Parse(await response.Content.ReadAsStringAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<long> SessionUploadAsync(UrlSession session, Uri url, string path)
    {
        var (data, response) = await session.UploadAsync(new UrlRequest(url) { Method = HttpMethod.Post }, path);
        if (response is not HttpUrlResponse { StatusCode: 200 })
        {
            throw new InvalidOperationException("upload: unexpected response " + response);
        }

        return long.Parse(Encoding.ASCII.GetString(data), CultureInfo.InvariantCulture);
    }

    /// <summary>The hand-written tuned copy: fill a 1 MiB buffer from the network, then one write to an unbuffered file.</summary>
    private static async Task<long> RawTunedAsync(HttpClient client, Uri url, string path, byte[] buffer)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        long total = 0;
        while (true)
        {
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(filled))) > 0)
            {
                filled += read;
            }

            if (filled == 0)
            {
                break;
            }

            await file.WriteAsync(buffer.AsMemory(0, filled));
            total += filled;
        }

        return total;
    }

    /// <summary><c>CopyToAsync</c> with a 1 MiB buffer into an unbuffered asynchronous file: one write per network read.</summary>
    private static async Task<long> RawCopyToAsync(HttpClient client, Uri url, string path)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
        {
            await body.CopyToAsync(file, MiB);
        }

        return new FileInfo(path).Length;
    }

    /// <summary>What most code does: <c>CopyToAsync</c> with its defaults into <c>File.Create</c>.</summary>
    private static async Task<long> RawDefaultAsync(HttpClient client, Uri url, string path)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await using (var file = File.Create(path))
        {
            await body.CopyToAsync(file);
        }

        return new FileInfo(path).Length;
    }

    private static async Task<long> SessionDownloadAsync(UrlSession session, Uri url, ProgressDelegate? progress)
    {
        var (location, _) = await session.DownloadAsync(url, progress);
        var length = new FileInfo(location).Length;

        // Deleted after the clock stops, like the raw rows' file (freeing 1 GiB of page cache takes time).
        _lastDownload = location;
        if (progress is not null && progress.Written != length)
        {
            throw new InvalidOperationException($"DidWriteData reported {progress.Written} bytes; the file has {length}.");
        }

        return length;
    }

    /// <summary>
    /// <c>CreateDownloadTask(url, completionHandler)</c>: the handler moves the file out (kept like the raw rows' file and
    /// deleted after the clock stops) or, with no <paramref name="keepAt"/>, only reads its length and leaves it to the
    /// session, which deletes it once the handler returned (before <c>Completion</c>).
    /// </summary>
    private static async Task<long> SessionCompletionHandlerAsync(UrlSession session, Uri url, string? keepAt)
    {
        long length = -1;
        UrlError? failure = null;
        var task = session.CreateDownloadTask(url, (location, _, error) =>
        {
            failure = error;
            if (location is not null)
            {
                length = new FileInfo(location).Length;
                if (keepAt is not null)
                {
                    File.Move(location, keepAt, overwrite: true);
                    _lastDownload = keepAt;
                }
            }
        });
        task.Resume();
        await task.Completion;
        return failure is null ? length : throw failure;
    }

    /// <summary><c>CreateDownloadTask(url)</c> with a per-task delegate whose <c>DidFinishDownloading</c> moves the file out.</summary>
    private static async Task<long> SessionDelegateAsync(UrlSession session, Uri url, string keepAt, bool progress)
    {
        var finisher = progress ? new ProgressDelegate { KeepAt = keepAt } : new FinishingDelegate { KeepAt = keepAt };
        var task = session.CreateDownloadTask(url);
        task.Delegate = finisher;
        task.Resume();
        await task.Completion;
        if (task.Error is { } error)
        {
            throw error;
        }

        _lastDownload = keepAt;
        if (finisher is ProgressDelegate counted && counted.Written != finisher.Length)
        {
            throw new InvalidOperationException($"DidWriteData reported {counted.Written} bytes; the file has {finisher.Length}.");
        }

        return finisher.Length;
    }

    private static async Task<long> CurlAsync(string curl, Uri url, string path)
    {
        using var process = Process.Start(new ProcessStartInfo(curl, ["-s", "-S", "-o", path, url.ToString()]) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"curl exited with {process.ExitCode}");
        }

        return new FileInfo(path).Length;
    }

    private static string? FindCurl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "curl"))
            .FirstOrDefault(File.Exists);

    /// <summary>A file of one random 1 MiB block repeated: real data on disk, not a sparse file.</summary>
    private static string CreateTestFile(string folder, long mib)
    {
        var path = Path.Combine(folder, $"upload-{mib}.bin");
        var block = new byte[MiB];
        new Random(42).NextBytes(block);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (var i = 0; i < mib; i++)
        {
            file.Write(block);
        }

        return path;
    }

    private static string CreateFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "urlsession-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static (long[] Sizes, int Rounds) ParseArgs(string[] args, int defaultRounds)
    {
        var sizes = args.Length > 0 ? args[0].Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [256L, 1024L];
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : defaultRounds;
        return (sizes, rounds);
    }

    private static void PrintHeader(string what, long[] sizes, int rounds, string folder) =>
        Console.WriteLine($"{what}: {string.Join(", ", sizes)} MiB, {rounds} rounds, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, server GC: {System.Runtime.GCSettings.IsServerGC}, folder {folder}");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Moves the finished file to <see cref="KeepAt"/> (when set) and records its length.</summary>
    private class FinishingDelegate : IDownloadTaskDelegate
    {
        public string? KeepAt { get; init; }

        public long Length { get; private set; } = -1;

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
        {
            Length = new FileInfo(location).Length;
            if (KeepAt is not null)
            {
                File.Move(location, KeepAt, overwrite: true);
            }
        }
    }

    /// <summary>Counts DidWriteData bytes; the cheapest progress delegate.</summary>
    private sealed class ProgressDelegate : FinishingDelegate, IDownloadTaskDelegate
    {
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite) =>
            Interlocked.Add(ref _written, bytesWritten);
    }
}
