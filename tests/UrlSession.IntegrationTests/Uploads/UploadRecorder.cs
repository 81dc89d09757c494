using System.Security.Cryptography;

namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>One DidSendBodyData event, with the task's counters read when it was delivered.</summary>
public readonly record struct SendEvent(long BytesSent, long TotalBytesSent, long TotalBytesExpectedToSend, long TaskCountOfBytesSent, long TaskCountOfBytesExpectedToSend);

/// <summary>
/// A task delegate for uploads: records body-sent events, answers NeedNewBodyStreamAsync and 401 challenges as
/// the test says, and records the data events like <see cref="RecordingDelegate"/>.
/// </summary>
public sealed class UploadRecorder : RecordingDelegate, ISessionTaskDelegate
{
    private readonly Lock _lock = new();
    private readonly List<SendEvent> _sends = [];
    private readonly List<(long Total, TaskCompletionSource Reached)> _sentWaiters = [];
    private int _newBodyStreamRequests;
    private int _challenges;
    private int _sendsAfterCompletion;

    /// <summary>What NeedNewBodyStreamAsync answers (null: no stream); it may throw.</summary>
    public Func<Stream?>? NewBodyStream { get; set; }

    /// <summary>The credential given to a 401 challenge (null: default handling).</summary>
    public UrlCredential? Credential { get; set; }

    public int NewBodyStreamRequests => Volatile.Read(ref _newBodyStreamRequests);

    public int Challenges => Volatile.Read(ref _challenges);

    public IReadOnlyList<SendEvent> Sends
    {
        get
        {
            lock (_lock)
            {
                return [.. _sends];
            }
        }
    }

    /// <summary>Makes this recorder the task's own delegate, resumes the task and returns the error DidComplete got.</summary>
    public async Task<UrlError?> RunAsync(UploadTask task)
    {
        task.Delegate = this;
        task.Resume();
        return await Completed.Within();
    }

    /// <summary>Completes once a body-sent event reported at least this running total.</summary>
    public Task SentReached(long total)
    {
        lock (_lock)
        {
            if (_sends.Count > 0 && _sends[^1].TotalBytesSent >= total)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _sentWaiters.Add((total, waiter));
            return waiter.Task;
        }
    }

    /// <summary>Body-sent events that arrived after DidComplete: a task's events all come before its completion.</summary>
    public int SendsAfterCompletion => Volatile.Read(ref _sendsAfterCompletion);

    public void DidSendBodyData(UrlSession session, SessionTask task, long bytesSent, long totalBytesSent, long totalBytesExpectedToSend)
    {
        if (CompletionCount > 0)
        {
            Interlocked.Increment(ref _sendsAfterCompletion);
        }

        List<TaskCompletionSource> reached;
        lock (_lock)
        {
            _sends.Add(new SendEvent(bytesSent, totalBytesSent, totalBytesExpectedToSend, task.CountOfBytesSent, task.CountOfBytesExpectedToSend));
            reached = [.. _sentWaiters.Where(w => w.Total <= totalBytesSent).Select(w => w.Reached)];
            _sentWaiters.RemoveAll(w => w.Total <= totalBytesSent);
        }

        foreach (var waiter in reached)
        {
            waiter.TrySetResult();
        }
    }

    public ValueTask<Stream?> NeedNewBodyStreamAsync(UrlSession session, SessionTask task)
    {
        Interlocked.Increment(ref _newBodyStreamRequests);
        return ValueTask.FromResult(NewBodyStream?.Invoke());
    }

    public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, SessionTask task, AuthenticationChallenge challenge)
    {
        if (challenge.ProtectionSpace.AuthenticationMethod == ProtectionSpace.AuthenticationMethodServerTrust)
        {
            // A task's own delegate hears server trust first (as URLSession): leave it to the session's delegate.
            return session.Delegate?.DidReceiveChallengeAsync(session, challenge) ?? ValueTask.FromResult(ChallengeResponse.PerformDefaultHandling);
        }

        Interlocked.Increment(ref _challenges);
        return ValueTask.FromResult(Credential is null
            ? ChallengeResponse.PerformDefaultHandling
            : new ChallengeResponse(AuthChallengeDisposition.UseCredential, Credential));
    }
}

/// <summary>Bodies, files and hashes for the upload tests.</summary>
internal static class UploadData
{
    /// <summary>Deterministic pseudo-random bytes (seeded), so a misplaced block changes the hash.</summary>
    public static byte[] Random(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>A temporary file holding the bytes, with the extension given; deleted when disposed.</summary>
    public static TempFile File(byte[] bytes, string extension = ".bin")
    {
        var path = Path.Combine(Path.GetTempPath(), "urlsession-upload-" + Guid.NewGuid().ToString("N") + extension);
        System.IO.File.WriteAllBytes(path, bytes);
        return new TempFile(path);
    }
}

internal sealed class TempFile(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose() => File.Delete(Path);
}
