using System.Diagnostics;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>Runs alone (no other test allocates meanwhile), so the process-wide memory numbers belong to the upload.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeUploadCollection : ICollectionFixture<LoopbackServer>
{
    public const string Name = "Large uploads (memory measured)";
}

/// <summary>A multi-GiB file goes out with memory bounded independently of its size.</summary>
[Collection(LargeUploadCollection.Name)]
public sealed class LargeUploadTests(LoopbackServer server, ITestOutputHelper output)
{
    private const long FileSize = 2L * 1024 * 1024 * 1024;
    private const int Block = 1024 * 1024;
    private const long AllocationBound = 64L * 1024 * 1024;
    private const long WorkingSetGrowthBound = 256L * 1024 * 1024;

    [Fact]
    public async Task A_2_GiB_file_uploads_with_bounded_memory_and_arrives_intact()
    {
        var path = Path.Combine(Path.GetTempPath(), "urlsession-large-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            var clock = Stopwatch.StartNew();
            var expectedHash = await WriteFileAsync(path);
            output.WriteLine($"wrote and hashed {FileSize:N0} bytes in {clock.Elapsed.TotalSeconds:F1} s");

            var sampler = new MemorySampler();
            await using var session = TestSessions.Ephemeral();
            var request = new UrlRequest(server.HttpUrl("/upload/sha256")) { Method = HttpMethod.Put };

            // Warm up (connection, JIT, pools) so the measurement sees the steady state of a send.
            await session.UploadAsync(request, new byte[Block], sampler).WaitAsync(TestSessions.Patience);
            sampler.Reset();

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var workingSetBefore = process.WorkingSet64;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            clock.Restart();

            var (data, response) = await session.UploadAsync(request, path, sampler).WaitAsync(TimeSpan.FromSeconds(120));

            var elapsed = clock.Elapsed;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            process.Refresh();
            var peakGrowth = Math.Max(sampler.MaxWorkingSet, process.WorkingSet64) - workingSetBefore;
            output.WriteLine($"uploaded {FileSize:N0} bytes in {elapsed.TotalSeconds:F1} s ({FileSize / elapsed.TotalSeconds / (1024 * 1024):F0} MiB/s)");
            output.WriteLine($"allocated during the upload (whole process, server included): {allocated:N0} bytes");
            output.WriteLine($"working set before {workingSetBefore:N0}, peak sampled {sampler.MaxWorkingSet:N0}, growth {peakGrowth:N0} bytes ({sampler.Samples} samples)");

            ((HttpUrlResponse)response).StatusCode.Should().Be(200);
            var receipt = UploadReceipt.Parse(data);
            receipt.Length.Should().Be(FileSize);
            receipt.ContentLength.Should().Be(FileSize);
            receipt.Sha256.Should().Be(expectedHash);
            sampler.TotalSent.Should().Be(FileSize);
            allocated.Should().BeLessThan(AllocationBound, "the file is streamed in pooled pieces, never loaded whole");
            peakGrowth.Should().BeLessThan(WorkingSetGrowthBound, "memory does not grow with the file's size");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A sparse file (quick to make on any disk): a distinct pseudo-random 1 MiB block every 16 MiB, zeros between,
    /// so a lost, repeated or misplaced piece changes the hash. Hashed as it is laid out.
    /// </summary>
    private static async Task<string> WriteFileAsync(string path)
    {
        const int DataEvery = 16;
        var block = UploadData.Random(Block, seed: 2024);
        var zeros = new byte[Block];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        file.SetLength(FileSize);
        for (long index = 0; index < FileSize / Block; index++)
        {
            if (index % DataEvery != 0 && index != (FileSize / Block) - 1)
            {
                hash.AppendData(zeros);
                continue;
            }

            BitConverter.TryWriteBytes(block.AsSpan(0, sizeof(long)), index);
            hash.AppendData(block);
            file.Position = index * Block;
            await file.WriteAsync(block);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Counts the bytes sent and samples the working set every 64 MiB of progress.</summary>
    private sealed class MemorySampler : ISessionTaskDelegate
    {
        private const long SampleEvery = 64L * 1024 * 1024;
        private readonly Process _process = Process.GetCurrentProcess();
        private long _nextSample;

        public long MaxWorkingSet { get; private set; }

        public long TotalSent { get; private set; }

        public int Samples { get; private set; }

        public void Reset()
        {
            MaxWorkingSet = 0;
            TotalSent = 0;
            Samples = 0;
            _nextSample = 0;
        }

        public void DidSendBodyData(UrlSession session, SessionTask task, long bytesSent, long totalBytesSent, long totalBytesExpectedToSend)
        {
            TotalSent = totalBytesSent;
            if (totalBytesSent >= _nextSample)
            {
                _nextSample += SampleEvery;
                _process.Refresh();
                MaxWorkingSet = Math.Max(MaxWorkingSet, _process.WorkingSet64);
                Samples++;
            }
        }
    }
}
