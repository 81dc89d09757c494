namespace UrlSessions;

/// <summary>
/// Collects a task's transactions for <c>DidFinishCollectingMetrics</c>: one observer of the task, created only when a
/// delegate wants metrics, so it costs nothing otherwise.
/// </summary>
internal sealed class TaskMetricsRecorder(TimeProvider time) : ITaskObserver
{
    private readonly Lock _lock = new();
    private readonly List<TransactionMetrics> _transactions = [];
    private readonly DateTimeOffset _taskStart = time.GetUtcNow();
    private int _redirects;

    void ITaskObserver.SendStarted(SessionTask task, UrlRequest request) => RequestStarted(request);

    void ITaskObserver.ResponseHeaders(SessionTask task, UrlRequest request, HttpResponseMessage message) => ResponseStarted(request.Url, message);

    void ITaskObserver.Redirected(SessionTask task, int status, UrlRequest next) => RedirectFollowed();

    void ITaskObserver.ResponseBodyEnded(SessionTask task) => ResponseEnded();

    public void RequestStarted(UrlRequest request)
    {
        lock (_lock)
        {
            _transactions.Add(new TransactionMetrics(request, null, time.GetUtcNow(), null, null, null));
        }
    }

    public void ResponseStarted(Uri url, HttpResponseMessage message)
    {
        var response = ResponseFactory.Create(url, message);
        var protocol = message.Version.Major switch
        {
            2 => "h2",
            3 => "h3",
            _ => $"http/{message.Version.Major}.{message.Version.Minor}",
        };
        Update(t => t with { Response = response, ResponseStart = time.GetUtcNow(), ResponseEnd = time.GetUtcNow(), NetworkProtocolName = protocol });
    }

    public void RedirectFollowed() => Interlocked.Increment(ref _redirects);

    public void ResponseEnded() => Update(t => t with { ResponseEnd = time.GetUtcNow() });

    /// <summary>Time since the task that began collecting started (for a task that took over the collection).</summary>
    public TimeSpan SinceTaskStart() => time.GetUtcNow() - _taskStart;

    public TaskMetrics Build(TimeSpan duration)
    {
        lock (_lock)
        {
            return new TaskMetrics(_taskStart, duration, Volatile.Read(ref _redirects), [.. _transactions]);
        }
    }

    private void Update(Func<TransactionMetrics, TransactionMetrics> change)
    {
        lock (_lock)
        {
            if (_transactions.Count > 0)
            {
                _transactions[^1] = change(_transactions[^1]);
            }
        }
    }
}
