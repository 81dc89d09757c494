using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace UrlSessions.Testing;

/// <summary>
/// The tests' delegate: implements every delegate interface, records every event in order with its arguments
/// (<see cref="Log"/>), lets tests await them, and answers each decision as configured (by default as the
/// interfaces' own default bodies do). Thread-safe: events may arrive on any thread.
/// </summary>
/// <remarks>
/// Implementing a member is not the same as leaving it out: the session dispatches only the members a delegate
/// implements, and a task's own delegate hides the session's for those. So a server-trust challenge that reaches
/// this delegate as a task's own is passed on to the session's delegate (what leaving the member out does); tests
/// that need a delegate implementing only some members keep their own.
/// </remarks>
public sealed class RecordingDelegate : IDataTaskDelegate, IDownloadTaskDelegate, IStreamTaskDelegate
{
    /// <summary>The events most tests assert the sequence of (what the old per-project recorders recorded).</summary>
    private static readonly HashSet<string> CoreEvents = ["response", "data", "redirect", "complete", "invalid"];

    private readonly Lock _lock = new();
    private readonly List<DelegateEvent> _log = [];
    private readonly MemoryStream _data = new();
    private readonly List<UrlError?> _errors = [];
    private readonly List<HttpUrlResponse> _redirects = [];
    private readonly List<SendEvent> _sends = [];
    private readonly List<(long Written, long Total, long Expected)> _writes = [];
    private readonly List<(long Offset, long Expected)> _resumes = [];
    private readonly List<TaskMetrics> _metrics = [];
    private readonly List<(Func<bool> Reached, TaskCompletionSource Signal)> _waiters = [];
    private readonly Dictionary<SessionTask, TaskCompletionSource<UrlError?>> _completions = [];
    private readonly TaskCompletionSource<UrlResponse> _response = NewSignal<UrlResponse>();
    private readonly TaskCompletionSource<UrlError?> _completed = NewSignal<UrlError?>();
    private readonly TaskCompletionSource<(SessionTask Task, UrlError? Error)> _firstCompleted = NewSignal<(SessionTask, UrlError?)>();
    private readonly TaskCompletionSource<Exception?> _invalidated = NewSignal<Exception?>();
    private readonly TaskCompletionSource<string> _finished = NewSignal<string>();
    private readonly TaskCompletionSource<DownloadTask> _becameDownload = NewSignal<DownloadTask>();
    private readonly TaskCompletionSource<StreamTask> _becameStream = NewSignal<StreamTask>();
    private readonly TaskCompletionSource _readClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writeClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _completionCount;
    private int _invalidationCount;
    private int _newBodyStreamRequests;
    private int _challenges;
    private int _serverTrustChallenges;
    private int _sendsAfterCompletion;

    // ---- Answers to decisions (defaults: the interfaces' default bodies) ----

    /// <summary>What DidReceiveResponseAsync answers (unless <see cref="DecideResponse"/> is set).</summary>
    public ResponseDisposition Disposition { get; set; } = ResponseDisposition.Allow;

    /// <summary>Decides DidReceiveResponseAsync itself (for a decision that waits or depends on the response).</summary>
    public Func<DataTask, UrlResponse, ValueTask<ResponseDisposition>>? DecideResponse { get; set; }

    /// <summary>What WillPerformHttpRedirectionAsync answers; default: follow the proposal.</summary>
    public Func<HttpUrlResponse, UrlRequest, UrlRequest?> Redirect { get; set; } = (_, proposed) => proposed;

    /// <summary>Refuses every redirect (the 3xx becomes the response).</summary>
    public bool RefuseRedirects
    {
        set => Redirect = value ? (_, _) => null : (_, proposed) => proposed;
    }

    /// <summary>The one server certificate trusted (null: server trust gets default handling).</summary>
    public X509Certificate2? TrustedCertificate { get; set; }

    /// <summary>The credential given to a non-server-trust challenge (null: default handling).</summary>
    public UrlCredential? Credential { get; set; }

    /// <summary>Answers a challenge itself (before <see cref="TrustedCertificate"/> and <see cref="Credential"/>).</summary>
    public Func<AuthenticationChallenge, ChallengeResponse>? Challenge { get; set; }

    /// <summary>What NeedNewBodyStreamAsync answers (null: no stream); it may throw.</summary>
    public Func<Stream?>? NewBodyStream { get; set; }

    /// <summary>What WillBeginDelayedRequestAsync answers; default: continue loading.</summary>
    public Func<SessionTask, UrlRequest, DelayedRequestResult> DelayedRequest { get; set; } =
        (_, _) => new DelayedRequestResult(DelayedRequestDisposition.ContinueLoading);

    /// <summary>What WillCacheResponseAsync answers; default: the proposal.</summary>
    public Func<CachedUrlResponse, CachedUrlResponse?> Cache { get; set; } = proposed => proposed;

    /// <summary>Where DidFinishDownloading moves the file (null: it only hashes it and leaves it).</summary>
    public string? MoveTo { get; set; }

    // ---- Hooks (run on the delegate's thread, after the event is recorded) ----

    /// <summary>Called first in every member, before anything is recorded (a hook that throws makes the member throw).</summary>
    public Action<string, SessionTask?>? BeforeEvent { get; set; }

    /// <summary>Called after every event is recorded.</summary>
    public Action<DelegateEvent>? OnEvent { get; set; }

    /// <summary>Called on every data event with the running total of body bytes.</summary>
    public Action<long>? OnData { get; set; }

    /// <summary>Called inside DidWriteData with the running total (tests pause from here).</summary>
    public Action<DownloadTask, long>? OnWrite { get; set; }

    // ---- What was recorded ----

    /// <summary>Every event, in the order heard.</summary>
    public IReadOnlyList<DelegateEvent> Log => Locked(() => _log.ToArray());

    /// <summary>The events with this name, in order.</summary>
    public IReadOnlyList<DelegateEvent> Of(string name) => Locked(() => _log.Where(e => e.Name == name).ToArray());

    /// <summary>The core events (response, data, redirect, complete, invalid) in order.</summary>
    public IReadOnlyList<DelegateEvent> CoreLog => Locked(() => _log.Where(e => CoreEvents.Contains(e.Name)).ToArray());

    /// <summary>The texts of the core events (response, data, redirect, complete, invalid) in order.</summary>
    public IReadOnlyList<string> Events => Locked(() => _log.Where(e => CoreEvents.Contains(e.Name)).Select(e => e.Text).ToArray());

    /// <summary>The names of the core events (response, data, redirect, complete, invalid) in order.</summary>
    public IReadOnlyList<string> Names => Locked(() => _log.Where(e => CoreEvents.Contains(e.Name)).Select(e => e.Name).ToArray());

    /// <summary>The body bytes delivered by data events, in order.</summary>
    public byte[] Data => Locked(() => _data.ToArray());

    public long DataLength => Locked(() => _data.Length);

    /// <summary>The error of each DidComplete, in order.</summary>
    public IReadOnlyList<UrlError?> Errors => Locked(() => _errors.ToArray());

    /// <summary>The responses a redirection was proposed for, in order.</summary>
    public IReadOnlyList<HttpUrlResponse> Redirects => Locked(() => _redirects.ToArray());

    public int RedirectCount => Locked(() => _redirects.Count);

    public IReadOnlyList<SendEvent> Sends => Locked(() => _sends.ToArray());

    public IReadOnlyList<(long Written, long Total, long Expected)> Writes => Locked(() => _writes.ToArray());

    public IReadOnlyList<(long Offset, long Expected)> Resumes => Locked(() => _resumes.ToArray());

    public IReadOnlyList<TaskMetrics> Metrics => Locked(() => _metrics.ToArray());

    /// <summary>True when a DidWriteData arrived before any DidResumeAtOffset.</summary>
    public bool WroteBeforeResumed { get; private set; }

    public string? FinishedLocation { get; private set; }

    public int CompletionCount => Volatile.Read(ref _completionCount);

    public int InvalidationCount => Volatile.Read(ref _invalidationCount);

    public int NewBodyStreamRequests => Volatile.Read(ref _newBodyStreamRequests);

    /// <summary>Challenges other than server trust.</summary>
    public int Challenges => Volatile.Read(ref _challenges);

    public int ServerTrustChallenges => Volatile.Read(ref _serverTrustChallenges);

    /// <summary>Body-sent events that arrived after a DidComplete (a task's events all come before its completion).</summary>
    public int SendsAfterCompletion => Volatile.Read(ref _sendsAfterCompletion);

    // ---- Signals ----

    /// <summary>The first response.</summary>
    public Task<UrlResponse> Response => _response.Task;

    /// <summary>The first DidComplete's error.</summary>
    public Task<UrlError?> Completed => _completed.Task;

    /// <summary>The first DidComplete: which task, and its error.</summary>
    public Task<(SessionTask Task, UrlError? Error)> FirstCompleted => _firstCompleted.Task;

    /// <summary>DidBecomeInvalid, with its error.</summary>
    public Task<Exception?> Invalidated => _invalidated.Task;

    /// <summary>The SHA-256 (hex) of the file handed to DidFinishDownloading, taken during the callback.</summary>
    public Task<string> Finished => _finished.Task;

    public Task<DownloadTask> BecameDownload => _becameDownload.Task;

    public Task<StreamTask> BecameStream => _becameStream.Task;

    public Task ReadClosedSeen => _readClosed.Task;

    public Task WriteClosedSeen => _writeClosed.Task;

    /// <summary>The error of this task's DidComplete.</summary>
    public Task<UrlError?> Completion(SessionTask task) => Locked(() => CompletionSignal(task).Task);

    /// <summary>Completes once at least this many body bytes were delivered.</summary>
    public Task DataReached(long total) => When(() => _data.Length >= total);

    /// <summary>Completes once DidWriteData reported at least this many bytes in total.</summary>
    public Task WrittenReached(long total) => When(() => _writes.Count > 0 && _writes[^1].Total >= total);

    /// <summary>Completes once a body-sent event reported at least this running total.</summary>
    public Task SentReached(long total) => When(() => _sends.Count > 0 && _sends[^1].TotalBytesSent >= total);

    /// <summary>Completes once an event with this name was recorded.</summary>
    public Task Heard(string name) => When(() => _log.Exists(e => e.Name == name));

    // ---- ISessionDelegate ----

    public void DidBecomeInvalid(UrlSession session, Exception? error)
    {
        Before("invalid", null);
        Interlocked.Increment(ref _invalidationCount);
        Record("invalid", null, "invalid", error);
        _invalidated.TrySetResult(error);
    }

    public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, AuthenticationChallenge challenge)
    {
        Before("session challenge", null);
        Record("session challenge", null, $"session challenge {challenge.ProtectionSpace.AuthenticationMethod}", challenge);
        return ValueTask.FromResult(Answer(challenge));
    }

    public void DidFinishEventsForBackgroundSession(UrlSession session)
    {
        Before("background events finished", null);
        Record("background events finished", null, "background events finished");
    }

    // ---- ISessionTaskDelegate ----

    public void DidCreateTask(UrlSession session, SessionTask task)
    {
        Before("created", task);
        Record("created", task, $"created {task.GetType().Name}", task);
    }

    public ValueTask<DelayedRequestResult> WillBeginDelayedRequestAsync(UrlSession session, SessionTask task, UrlRequest request)
    {
        Before("delayed", task);
        Record("delayed", task, "delayed", request);
        return ValueTask.FromResult(DelayedRequest(task, request));
    }

    public void TaskIsWaitingForConnectivity(UrlSession session, SessionTask task)
    {
        Before("waiting", task);
        Record("waiting", task, "waiting");
    }

    public ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest)
    {
        Before("redirect", task);
        lock (_lock)
        {
            _redirects.Add(response);
        }

        Record("redirect", task, $"redirect {response.StatusCode} {newRequest.Url}", response, newRequest);
        return ValueTask.FromResult(Redirect(response, newRequest));
    }

    public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, SessionTask task, AuthenticationChallenge challenge)
    {
        Before("challenge", task);
        Record("challenge", task, $"challenge {challenge.ProtectionSpace.AuthenticationMethod}", challenge);
        if (IsServerTrust(challenge) && Challenge is null && TrustedCertificate is null && session.Delegate is { } shared && !ReferenceEquals(shared, this))
        {
            // As a task's own delegate this hides the session delegate's answer; leaving the member out would not.
            return shared.DidReceiveChallengeAsync(session, challenge);
        }

        return ValueTask.FromResult(Answer(challenge));
    }

    public ValueTask<Stream?> NeedNewBodyStreamAsync(UrlSession session, SessionTask task)
    {
        Before("new body stream", task);
        Interlocked.Increment(ref _newBodyStreamRequests);
        Record("new body stream", task, "new body stream");
        return ValueTask.FromResult(NewBodyStream?.Invoke());
    }

    public void DidSendBodyData(UrlSession session, SessionTask task, long bytesSent, long totalBytesSent, long totalBytesExpectedToSend)
    {
        Before("sent", task);
        if (CompletionCount > 0)
        {
            Interlocked.Increment(ref _sendsAfterCompletion);
        }

        lock (_lock)
        {
            _sends.Add(new SendEvent(bytesSent, totalBytesSent, totalBytesExpectedToSend, task.CountOfBytesSent, task.CountOfBytesExpectedToSend));
        }

        Record("sent", task, $"sent {totalBytesSent}", bytesSent, totalBytesSent, totalBytesExpectedToSend);
    }

    public void DidReceiveInformationalResponse(UrlSession session, SessionTask task, HttpUrlResponse response)
    {
        Before("informational", task);
        Record("informational", task, $"informational {response.StatusCode}", response);
    }

    public void DidFinishCollectingMetrics(UrlSession session, SessionTask task, TaskMetrics metrics)
    {
        Before("metrics", task);
        lock (_lock)
        {
            _metrics.Add(metrics);
        }

        Record("metrics", task, "metrics", metrics);
    }

    public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
    {
        Before("complete", task);
        Interlocked.Increment(ref _completionCount);
        lock (_lock)
        {
            _errors.Add(error);
        }

        Record("complete", task, error is null ? "complete" : $"complete {error.Code}", error);
        _completed.TrySetResult(error);
        _firstCompleted.TrySetResult((task, error));
        Locked(() => CompletionSignal(task)).TrySetResult(error);
    }

    // ---- IDataTaskDelegate ----

    public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
    {
        Before("response", task);
        Record("response", task, "response", response);
        _response.TrySetResult(response);
        return DecideResponse?.Invoke(task, response) ?? ValueTask.FromResult(Disposition);
    }

    public void DidBecomeDownloadTask(UrlSession session, DataTask dataTask, DownloadTask downloadTask)
    {
        Before("became download", dataTask);
        Record("became download", dataTask, "became download", downloadTask);
        _becameDownload.TrySetResult(downloadTask);
    }

    public void DidBecomeStreamTask(UrlSession session, DataTask dataTask, StreamTask streamTask)
    {
        Before("became stream", dataTask);
        Record("became stream", dataTask, "became stream", streamTask);
        _becameStream.TrySetResult(streamTask);
    }

    public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
    {
        Before("data", task);
        long total;
        lock (_lock)
        {
            _data.Write(data.Span);
            total = _data.Length;
        }

        Record("data", task, "data", data.ToArray());
        OnData?.Invoke(total);
    }

    public ValueTask<CachedUrlResponse?> WillCacheResponseAsync(UrlSession session, DataTask task, CachedUrlResponse proposedResponse)
    {
        Before("cache", task);
        Record("cache", task, "cache", proposedResponse);
        return ValueTask.FromResult(Cache(proposedResponse));
    }

    // ---- IDownloadTaskDelegate ----

    public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
    {
        Before("finished", task);
        FinishedLocation = location;
        Record("finished", task, "finished", location);
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
        Before("write", task);
        lock (_lock)
        {
            if (_writes.Count == 0 && _resumes.Count == 0)
            {
                WroteBeforeResumed = true;
            }

            _writes.Add((bytesWritten, totalBytesWritten, totalBytesExpectedToWrite));
        }

        Record("write", task, $"write {totalBytesWritten}", bytesWritten, totalBytesWritten, totalBytesExpectedToWrite);
        OnWrite?.Invoke(task, totalBytesWritten);
    }

    public void DidResumeAtOffset(UrlSession session, DownloadTask task, long fileOffset, long expectedTotalBytes)
    {
        Before("resume", task);
        lock (_lock)
        {
            _resumes.Add((fileOffset, expectedTotalBytes));
        }

        Record("resume", task, $"resume {fileOffset}", fileOffset, expectedTotalBytes);
    }

    // ---- IStreamTaskDelegate ----

    public void ReadClosed(UrlSession session, StreamTask task)
    {
        Before("read closed", task);
        Record("read closed", task, "read closed");
        _readClosed.TrySetResult();
    }

    public void WriteClosed(UrlSession session, StreamTask task)
    {
        Before("write closed", task);
        Record("write closed", task, "write closed");
        _writeClosed.TrySetResult();
    }

    /// <summary>Makes this recorder the task's own delegate and resumes the task.</summary>
    public T Start<T>(T task)
        where T : SessionTask
    {
        task.Delegate = this;
        task.Resume();
        return task;
    }

    /// <summary>Makes this recorder the task's own delegate, resumes the task and returns the error of the first DidComplete.</summary>
    public async Task<UrlError?> RunAsync(SessionTask task)
    {
        Start(task);
        return await Completed.Within();
    }

    /// <summary>Trusts <paramref name="trusted"/> alone, else default handling (for delegates that answer server trust themselves).</summary>
    public static ChallengeResponse Trust(X509Certificate2 trusted, AuthenticationChallenge challenge) =>
        IsServerTrust(challenge) && challenge.ServerCertificate is { } certificate && certificate.RawDataMemory.Span.SequenceEqual(trusted.RawDataMemory.Span)
            ? new ChallengeResponse(AuthChallengeDisposition.UseCredential, UrlCredential.ForTrust(certificate))
            : ChallengeResponse.PerformDefaultHandling;

    /// <summary>The SHA-256 (hex) of a file.</summary>
    public static string Hash(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    private static bool IsServerTrust(AuthenticationChallenge challenge) =>
        challenge.ProtectionSpace.AuthenticationMethod == ProtectionSpace.AuthenticationMethodServerTrust;

    private static TaskCompletionSource<T> NewSignal<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChallengeResponse Answer(AuthenticationChallenge challenge)
    {
        if (IsServerTrust(challenge))
        {
            Interlocked.Increment(ref _serverTrustChallenges);
        }
        else
        {
            Interlocked.Increment(ref _challenges);
        }

        if (Challenge is { } answer)
        {
            return answer(challenge);
        }

        if (IsServerTrust(challenge))
        {
            return TrustedCertificate is { } trusted ? Trust(trusted, challenge) : ChallengeResponse.PerformDefaultHandling;
        }

        return Credential is null ? ChallengeResponse.PerformDefaultHandling : new ChallengeResponse(AuthChallengeDisposition.UseCredential, Credential);
    }

    private void Before(string name, SessionTask? task) => BeforeEvent?.Invoke(name, task);

    private void Record(string name, SessionTask? task, string text, params object?[] arguments)
    {
        var entry = new DelegateEvent(name, task, text, arguments, SynchronizationContext.Current, TaskScheduler.Current);
        List<TaskCompletionSource> reached;
        lock (_lock)
        {
            _log.Add(entry);
            reached = [.. _waiters.Where(w => w.Reached()).Select(w => w.Signal)];
            _waiters.RemoveAll(w => reached.Contains(w.Signal));
        }

        foreach (var signal in reached)
        {
            signal.TrySetResult();
        }

        OnEvent?.Invoke(entry);
    }

    private Task When(Func<bool> reached)
    {
        lock (_lock)
        {
            if (reached())
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((reached, signal));
            return signal.Task;
        }
    }

    private TaskCompletionSource<UrlError?> CompletionSignal(SessionTask task)
    {
        if (!_completions.TryGetValue(task, out var signal))
        {
            signal = NewSignal<UrlError?>();
            _completions.Add(task, signal);
        }

        return signal;
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_lock)
        {
            return read();
        }
    }
}
