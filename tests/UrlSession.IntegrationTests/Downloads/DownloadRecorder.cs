using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;

namespace UrlSessions.IntegrationTests.Downloads;

/// <summary>A download delegate that records every event and lets tests await them.</summary>
public class DownloadRecorder : IDownloadTaskDelegate, IDataTaskDelegate
{
    private readonly Lock _lock = new();
    private readonly List<(long Written, long Total, long Expected)> _writes = [];
    private readonly List<(long Offset, long Expected)> _resumes = [];
    private readonly List<(long Total, TaskCompletionSource Reached)> _waiters = [];
    private readonly TaskCompletionSource<UrlError?> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<DownloadTask> _became = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _invalid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _completions;

    /// <summary>Where DidFinishDownloading moves the file (null: it only hashes it and leaves it).</summary>
    public string? MoveTo { get; set; }

    /// <summary>Called inside DidWriteData with the running total (tests pause from here).</summary>
    public Action<DownloadTask, long>? OnWrite { get; set; }

    /// <summary>What a data task's DidReceiveResponseAsync answers.</summary>
    public ResponseDisposition Disposition { get; set; } = ResponseDisposition.Allow;

    public Task<UrlError?> Completed => _completed.Task;

    /// <summary>The SHA-256 (hex) of the file handed to DidFinishDownloading, taken during the callback.</summary>
    public Task<string> Finished => _finished.Task;

    public Task<DownloadTask> BecameDownload => _became.Task;

    public Task Invalidated => _invalid.Task;

    public string? FinishedLocation { get; private set; }

    public int CompletionCount => Volatile.Read(ref _completions);

    /// <summary>True when a DidWriteData arrived before DidResumeAtOffset (the resume event must come first).</summary>
    public bool WroteBeforeResumed { get; private set; }

    public IReadOnlyList<(long Written, long Total, long Expected)> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    public IReadOnlyList<(long Offset, long Expected)> Resumes
    {
        get
        {
            lock (_lock)
            {
                return [.. _resumes];
            }
        }
    }

    /// <summary>Completes once DidWriteData reported at least this many bytes in total.</summary>
    public Task WrittenReached(long total)
    {
        lock (_lock)
        {
            if (_writes.Count > 0 && _writes[^1].Total >= total)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((total, waiter));
            return waiter.Task;
        }
    }

    public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
    {
        FinishedLocation = location;
        try
        {
            var hash = Hash(location);
            if (MoveTo is { } target)
            {
                File.Move(location, target);
            }

            _finished.TrySetResult(hash);
        }
        catch (Exception ex)
        {
            _finished.TrySetException(ex);
        }
    }

    public void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite)
    {
        lock (_lock)
        {
            if (_writes.Count == 0 && _resumes.Count == 0)
            {
                WroteBeforeResumed = true;
            }

            _writes.Add((bytesWritten, totalBytesWritten, totalBytesExpectedToWrite));
            foreach (var waiter in _waiters.Where(w => w.Total <= totalBytesWritten).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        OnWrite?.Invoke(task, totalBytesWritten);
    }

    public void DidResumeAtOffset(UrlSession session, DownloadTask task, long fileOffset, long expectedTotalBytes)
    {
        lock (_lock)
        {
            _resumes.Add((fileOffset, expectedTotalBytes));
        }
    }

    public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response) =>
        ValueTask.FromResult(Disposition);

    public void DidBecomeDownloadTask(UrlSession session, DataTask dataTask, DownloadTask downloadTask) => _became.TrySetResult(downloadTask);

    public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
    {
        Interlocked.Increment(ref _completions);
        _completed.TrySetResult(error);
    }

    public void DidBecomeInvalid(UrlSession session, Exception? error) => _invalid.TrySetResult();

    /// <summary>Makes this recorder the task's own delegate and resumes the task.</summary>
    public DownloadTask Start(DownloadTask task)
    {
        task.Delegate = this;
        task.Resume();
        return task;
    }

    /// <summary>
    /// Resumes a task whose events reach this recorder as the session's delegate, and checks that it ends without error,
    /// handing DidFinishDownloading a file that hashes to <paramref name="sha256"/>.
    /// </summary>
    public async Task<DownloadTask> RunToEndAsync(DownloadTask task, string sha256)
    {
        task.Resume();
        (await Completed.Within()).Should().BeNull();
        (await Finished.Within()).Should().Be(sha256);
        return task;
    }

    public static string Hash(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    /// <summary>Hashes a file handed to the caller, then deletes it, so a failing hash check leaves nothing behind.</summary>
    public static string HashAndDelete(string path)
    {
        try
        {
            return Hash(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The resume offset recorded in a blob (docs/resume-data.md: JSON payload after a 9-byte header).</summary>
    public static long BlobOffset(byte[] blob)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(5, 4));
        using var json = JsonDocument.Parse(blob.AsMemory(9, length));
        return json.RootElement.GetProperty("bytesReceived").GetInt64();
    }

    /// <summary>A fresh download folder for one test.</summary>
    public static string NewFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "UrlSession.IntegrationTests", "dl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a test's download folder; one still in use (a test that failed mid-download) is left rather than failing the cleanup.</summary>
    public static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
