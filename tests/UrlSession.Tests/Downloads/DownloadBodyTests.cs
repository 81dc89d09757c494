using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Downloads;

/// <summary>How the download body reaches the file and the delegate: promptly when the server stalls, and a resume reported whatever follows.</summary>
public sealed class DownloadBodyTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private static readonly Uri Url = new("http://example.test/file.bin");
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-download-body-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Bytes_received_before_the_server_stalls_are_written_and_reported_while_it_stalls()
    {
        // 48 KiB chunks: 2 MiB is not a whole number of 512 KiB writes, so a loop that only writes full batches
        // would hold the last ~460 KiB back until more bytes arrive.
        var body = new StallingStream(before: 2 * MiB, chunk: 48 * 1024, after: 256 * 1024);
        var progress = new ProgressRecorder(2 * MiB);
        await using var session = Session(new StreamHandler(body));

        var task = session.CreateDownloadTask(Url);
        task.Delegate = progress;
        task.Resume();

        try
        {
            // The timeout is only the failure guard: the event is expected as soon as the stall begins.
            await progress.Reached.WaitAsync(TimeSpan.FromSeconds(30));
            body.Released.Should().BeFalse("the body was still stalled when the event arrived");
            new FileInfo(Directory.GetFiles(_folder).Single()).Length.Should().Be(2 * MiB, "the reported bytes are on disk");
        }
        finally
        {
            body.Release();
        }

        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        task.Error.Should().BeNull();
        progress.Totals[^1].Should().Be(body.Length);
        progress.FinishedLength.Should().Be(body.Length);
    }

    [Fact]
    public async Task A_resume_whose_206_body_breaks_after_one_byte_still_reports_DidResumeAtOffset_before_DidComplete()
    {
        var content = RandomNumberGenerator.GetBytes(600_000);
        var server = new RangeServingHandler(content) { FailAfter = 250_000 };
        await using var session = Session(server);
        var first = session.CreateDownloadTask(Url, (_, _, _) => { });
        first.Resume();
        await first.Completion;
        var blob = first.Error!.DownloadTaskResumeData!;
        blob.Should().NotBeNull();
        server.FailAfter = 1;

        var recorder = new ResumeRecorder();
        var resumed = session.CreateDownloadTask(blob);
        resumed.Delegate = recorder;
        resumed.Resume();
        await resumed.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        resumed.Error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        server.Requests.Last().Headers.Range!.ToString().Should().Be("bytes=250000-");
        recorder.Events.Should().Equal($"resumed 250000 of {content.Length}", "complete NetworkConnectionLost");
        resumed.Error.DownloadTaskResumeData.Should().NotBeNull("the byte that arrived continues the file");
        var (location, _) = await session.DownloadAsync(resumed.Error.DownloadTaskResumeData!);
        File.ReadAllBytes(location).Should().Equal(content);
    }

    private UrlSession Session(HttpMessageHandler handler)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpMessageHandlerFactory = () => handler;
        configuration.DownloadDirectory = _folder;
        return new UrlSession(configuration);
    }

    /// <summary>Answers every request with a 200 whose body is the given stream.</summary>
    private sealed class StreamHandler(StallingStream body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentLength = body.Length;
            return Task.FromResult(response);
        }
    }

    /// <summary>
    /// Hands out <c>before</c> bytes in chunks at once (data that already arrived), then blocks until
    /// <see cref="Release"/>, then hands out <c>after</c> bytes and ends.
    /// </summary>
    private sealed class StallingStream(int before, int chunk, int after) : Stream
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => before + after;

        public bool Released => _release.Task.IsCompleted;

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Release() => _release.TrySetResult();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < before)
            {
                return ValueTask.FromResult(Take(buffer, (int)Math.Min(chunk, before - _position)));
            }

            return _release.Task.IsCompleted ? ValueTask.FromResult(Take(buffer, (int)Math.Min(chunk, Length - _position))) : ReadAfterReleaseAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private async ValueTask<int> ReadAfterReleaseAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            await _release.Task.WaitAsync(cancellationToken);
            return Take(buffer, (int)Math.Min(chunk, Length - _position));
        }

        private int Take(Memory<byte> buffer, int wanted)
        {
            var count = Math.Min(wanted, buffer.Length);
            buffer.Span[..count].Fill((byte)(_position / chunk));
            _position += count;
            return count;
        }
    }

    private sealed class ProgressRecorder(long awaited) : IDownloadTaskDelegate
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public ConcurrentQueue<long> TotalsQueue { get; } = new();

        public long[] Totals => [.. TotalsQueue];

        public long FinishedLength { get; private set; }

        public void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite)
        {
            TotalsQueue.Enqueue(totalBytesWritten);
            if (totalBytesWritten >= awaited)
            {
                _reached.TrySetResult();
            }
        }

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location) => FinishedLength = new FileInfo(location).Length;
    }

    private sealed class ResumeRecorder : IDownloadTaskDelegate
    {
        public ConcurrentQueue<string> Events { get; } = new();

        public void DidResumeAtOffset(UrlSession session, DownloadTask task, long fileOffset, long expectedTotalBytes) =>
            Events.Enqueue($"resumed {fileOffset} of {expectedTotalBytes}");

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location) => Events.Enqueue("finished");

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => Events.Enqueue($"complete {error?.Code.ToString() ?? "ok"}");
    }
}
