using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace UrlSessions.Benchmarks;

/// <summary>
/// A quick profile of the small GET (no BenchmarkDotNet): per-request time and GC-allocated bytes for each path,
/// then which types the session path allocates, from the runtime's sampled AllocationTick events (one sample per
/// ~100 KB allocated, so the histogram shows shares, not exact counts).
/// Server-side (Kestrel) allocations are in the same process and are counted for every path alike.
/// </summary>
internal static class AllocationProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 && args[0] != "--no-types" ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var bench = new SmallGetBenchmarks { Size = 128 };
        bench.Setup();
        try
        {
            var paths = new (string Name, Func<Task<byte[]>> Run)[]
            {
                ("HttpClient.GetByteArrayAsync", bench.RawHttpClient),
                ("HttpClient + decompression", bench.RawHttpClientDecompressing),
                ("UrlSession.DataAsync", bench.SessionDataAsync),
                ("DataTask + completion handler", bench.CompletionHandlerDataTask),
            };

            foreach (var (_, run) in paths)
            {
                for (var i = 0; i < 2000; i++)
                {
                    await run();
                }
            }

            // Interleaved rounds (paths alternate, so load from other processes hits all alike); the median
            // round per path is reported. Allocation is exact (GC.GetTotalAllocatedBytes), time is wall clock.
            const int Rounds = 9;
            var perRound = requests / Rounds;
            var times = paths.Select(_ => new List<double>()).ToArray();
            var bytes = paths.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < Rounds; round++)
            {
                for (var p = 0; p < paths.Length; p++)
                {
                    var run = paths[(p + round) % paths.Length].Run;
                    var index = (p + round) % paths.Length;
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    var stopwatch = Stopwatch.StartNew();
                    for (var i = 0; i < perRound; i++)
                    {
                        await run();
                    }

                    stopwatch.Stop();
                    bytes[index].Add((GC.GetTotalAllocatedBytes(precise: true) - before) / (double)perRound);
                    times[index].Add(stopwatch.Elapsed.TotalMicroseconds / perRound);
                }
            }

            Console.WriteLine($"{perRound} sequential 128-byte GETs per path per round, {Rounds} interleaved rounds, {Environment.ProcessorCount} cores; median round:");
            var baseTime = Median(times[0]);
            var baseBytes = Median(bytes[0]);
            for (var p = 0; p < paths.Length; p++)
            {
                var micros = Median(times[p]);
                var allocated = Median(bytes[p]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {paths[p].Name,-30} {micros,8:F1} us/request ({micros / baseTime:F2}x)  {allocated,8:F0} B/request ({allocated / baseBytes:F2}x)"));
            }

            if (args.Contains("--no-types"))
            {
                return 0;
            }

            foreach (var (name, run) in paths)
            {
                using var listener = new AllocationListener();
                for (var i = 0; i < requests; i++)
                {
                    await run();
                }

                listener.Print(name, 20);
            }
        }
        finally
        {
            bench.Cleanup();
        }

        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private sealed class AllocationListener : EventListener
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new();
        private long _total;

        public void Print(string title, int top)
        {
            Console.WriteLine();
            Console.WriteLine($"Sampled allocations by type, {title} (share of ~{Interlocked.Read(ref _total) / 1024} KB sampled):");
            foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(top))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes * 100.0 / _total,5:F1}%  {type}"));
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
            {
                return;
            }

            var typeIndex = eventData.PayloadNames!.IndexOf("TypeName");
            var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
            var type = typeIndex >= 0 ? eventData.Payload[typeIndex] as string ?? "?" : "?";
            var amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture) : 100_000;
            _bytes.AddOrUpdate(type, amount, (_, old) => old + amount);
            Interlocked.Add(ref _total, amount);
        }
    }
}
