using System.Collections.Concurrent;

namespace UrlSessions.IntegrationTests.Helpers;

/// <summary>A data-task delegate that records every event in order and lets tests await them.</summary>
public class RecordingDelegate : IDataTaskDelegate
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly TaskCompletionSource<UrlResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<UrlError?> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _invalid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _dataLock = new();
    private readonly MemoryStream _data = new();
    private readonly List<(long Total, TaskCompletionSource Reached)> _dataWaiters = [];
    private int _completions;
    private int _invalidations;

    public IReadOnlyList<string> Events => [.. _events];

    public Task<UrlResponse> Response => _response.Task;

    public Task<UrlError?> Completed => _completed.Task;

    public Task Invalidated => _invalid.Task;

    public int CompletionCount => Volatile.Read(ref _completions);

    public int InvalidationCount => Volatile.Read(ref _invalidations);

    /// <summary>Set to refuse redirects (the 3xx becomes the response).</summary>
    public bool RefuseRedirects { get; set; }

    public List<HttpUrlResponse> Redirects { get; } = [];

    /// <summary>Called on every data event with the running total (tests use it to observe delivery).</summary>
    public Action<long>? OnData { get; set; }

    public byte[] Data
    {
        get
        {
            lock (_dataLock)
            {
                return _data.ToArray();
            }
        }
    }

    public long DataLength
    {
        get
        {
            lock (_dataLock)
            {
                return _data.Length;
            }
        }
    }

    /// <summary>Completes once at least this many body bytes were delivered.</summary>
    public Task DataReached(long total)
    {
        lock (_dataLock)
        {
            if (_data.Length >= total)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _dataWaiters.Add((total, waiter));
            return waiter.Task;
        }
    }

    public virtual ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
    {
        _events.Enqueue("response");
        _response.TrySetResult(response);
        return ValueTask.FromResult(ResponseDisposition.Allow);
    }

    public virtual void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
    {
        _events.Enqueue("data");
        long total;
        lock (_dataLock)
        {
            _data.Write(data.Span);
            total = _data.Length;
            foreach (var waiter in _dataWaiters.Where(w => w.Total <= total).ToList())
            {
                waiter.Reached.TrySetResult();
                _dataWaiters.Remove(waiter);
            }
        }

        OnData?.Invoke(total);
    }

    public virtual ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest)
    {
        _events.Enqueue("redirect");
        lock (Redirects)
        {
            Redirects.Add(response);
        }

        return ValueTask.FromResult(RefuseRedirects ? null : newRequest);
    }

    public virtual void DidComplete(UrlSession session, SessionTask task, UrlError? error)
    {
        _events.Enqueue("complete");
        Interlocked.Increment(ref _completions);
        _completed.TrySetResult(error);
    }

    public virtual void DidBecomeInvalid(UrlSession session, Exception? error)
    {
        _events.Enqueue("invalid");
        Interlocked.Increment(ref _invalidations);
        _invalid.TrySetResult();
    }
}
