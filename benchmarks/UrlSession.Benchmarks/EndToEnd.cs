using System.Diagnostics;
using System.Globalization;

namespace UrlSessions.Benchmarks;

/// <summary>
/// Streams a large body (1 GiB by default) from the loopback server through a data task whose delegate only
/// counts bytes, and through raw <see cref="HttpClient"/> (ResponseHeadersRead, one reusable buffer), in the
/// same process, alternating, and prints MB/s, the ratio, GC-allocated bytes and the peak working set per run.
/// </summary>
internal static class EndToEnd
{
    private const int RawBufferSize = 64 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var mib = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        var size = mib * 1024 * 1024;

        await using var server = await LoopbackServer.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        await using var session = new UrlSession(SessionConfiguration.Default);
        var url = server.BytesUrl(size);
        var buffer = new byte[RawBufferSize];

        Console.WriteLine($"End-to-end streaming: {mib} MiB per run, {rounds} rounds, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, server GC: {System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine($"Server: {url}");

        // Warm-up: JIT, connections, tiering (64 MiB each, not reported).
        var warm = server.BytesUrl(64L * 1024 * 1024);
        await RawAsync(client, warm, buffer, 64L * 1024 * 1024);
        await SessionAsync(session, warm, 64L * 1024 * 1024);

        var raw = new List<double>();
        var lib = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            // Alternate which side goes first so neither always runs on a warmer machine.
            if (round % 2 == 1)
            {
                raw.Add(await MeasureAsync($"round {round} raw HttpClient ", () => RawAsync(client, url, buffer, size), size));
                lib.Add(await MeasureAsync($"round {round} UrlSession task", () => SessionAsync(session, url, size), size));
            }
            else
            {
                lib.Add(await MeasureAsync($"round {round} UrlSession task", () => SessionAsync(session, url, size), size));
                raw.Add(await MeasureAsync($"round {round} raw HttpClient ", () => RawAsync(client, url, buffer, size), size));
            }

            Console.WriteLine($"round {round} ratio UrlSession/raw: {lib[^1] / raw[^1]:F3}x");
        }

        var ratios = lib.Zip(raw, (l, r) => l / r).ToList();
        var rawMedian = Median(raw);
        var libMedian = Median(lib);
        Console.WriteLine();
        Console.WriteLine($"median raw HttpClient : {rawMedian,8:F1} MB/s");
        Console.WriteLine($"median UrlSession task: {libMedian,8:F1} MB/s");
        // Each round's pair runs back to back, so its ratio is the least disturbed by load that changes
        // during the run (other builds on a shared machine); the median of those is the headline.
        Console.WriteLine($"ratio UrlSession/raw, median of per-round ratios: {Median(ratios):F3}x (target >= 0.95x)");
        Console.WriteLine($"ratio of medians: {libMedian / rawMedian:F3}x; best vs best: {lib.Max() / raw.Max():F3}x ({lib.Max():F1} vs {raw.Max():F1} MB/s)");
        Console.WriteLine($"process peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F1} MiB");
        return 0;
    }

    private static async Task<double> MeasureAsync(string label, Func<Task<long>> run, long expected)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        using var sampler = new WorkingSetSampler();
        var stopwatch = Stopwatch.StartNew();
        var received = await run();
        stopwatch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var peak = sampler.Stop();
        if (received != expected)
        {
            throw new InvalidOperationException($"{label}: received {received} bytes, expected {expected}.");
        }

        var mbPerSecond = received / 1e6 / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {stopwatch.Elapsed.TotalSeconds,7:F3} s {mbPerSecond,8:F1} MB/s  GC allocated {allocated,12:N0} B  gen0 {GC.CollectionCount(0) - gen0,4} gen2 {GC.CollectionCount(2) - gen2,3}  peak working set {peak / (1024.0 * 1024),7:F1} MiB"));
        return mbPerSecond;
    }

    private static async Task<long> RawAsync(HttpClient client, Uri url, byte[] buffer, long expected)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static async Task<long> SessionAsync(UrlSession session, Uri url, long expected)
    {
        var counter = new CountingDelegate();
        var task = session.CreateDataTask(url);
        task.Delegate = counter;
        task.Resume();
        await task.Completion;
        if (task.Error is { } error)
        {
            throw error;
        }

        return counter.Count;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Counts bytes and does nothing else: the cheapest possible data delegate.</summary>
    private sealed class CountingDelegate : IDataTaskDelegate
    {
        public long Count { get; private set; }

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data) => Count += data.Length;
    }

    /// <summary>Samples the process working set every 20 ms; the maximum seen is the run's peak.</summary>
    internal sealed class WorkingSetSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak = Environment.WorkingSet;

        public WorkingSetSampler() => _timer = new Timer(_ => Sample(), null, 0, 20);

        public long Stop()
        {
            _timer.Dispose();
            Sample();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var now = Environment.WorkingSet;
            long peak;
            while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
            {
            }
        }
    }
}
