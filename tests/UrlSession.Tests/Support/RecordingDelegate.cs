using System.Collections.Concurrent;

namespace UrlSessions.Tests.Support;

/// <summary>A data-task delegate that implements every event and records them in order.</summary>
internal class RecordingDelegate : IDataTaskDelegate
{
    private readonly TaskCompletionSource _invalid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _didCompleteCount;
    private int _didBecomeInvalidCount;

    public ConcurrentQueue<string> Events { get; } = new();

    public MemoryStream Data { get; } = new();

    public ConcurrentQueue<UrlError?> Errors { get; } = new();

    public int DidCompleteCount => Volatile.Read(ref _didCompleteCount);

    public int DidBecomeInvalidCount => Volatile.Read(ref _didBecomeInvalidCount);

    public Task Invalidated => _invalid.Task;

    /// <summary>What WillPerformHttpRedirectionAsync answers; default: follow the proposal.</summary>
    public Func<HttpUrlResponse, UrlRequest, UrlRequest?> Redirect { get; set; } = (_, proposed) => proposed;

    public int RedirectCount => Events.Count(e => e.StartsWith("redirect", StringComparison.Ordinal));

    public virtual void DidBecomeInvalid(UrlSession session, Exception? error)
    {
        Interlocked.Increment(ref _didBecomeInvalidCount);
        Events.Enqueue("invalid");
        _invalid.TrySetResult();
    }

    public virtual ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest)
    {
        Events.Enqueue($"redirect {response.StatusCode} {newRequest.Url}");
        return ValueTask.FromResult(Redirect(response, newRequest));
    }

    public virtual ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
    {
        Events.Enqueue("response");
        return ValueTask.FromResult(ResponseDisposition.Allow);
    }

    public virtual void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
    {
        Events.Enqueue("data");
        lock (Data)
        {
            Data.Write(data.Span);
        }
    }

    public virtual void DidComplete(UrlSession session, SessionTask task, UrlError? error)
    {
        Interlocked.Increment(ref _didCompleteCount);
        Errors.Enqueue(error);
        Events.Enqueue(error is null ? "complete" : $"complete {error.Code}");
    }
}
