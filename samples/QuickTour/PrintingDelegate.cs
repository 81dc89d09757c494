namespace UrlSessions.Samples.QuickTour;

/// <summary>
/// A session delegate that prints what it receives. It implements only the events it cares about; the
/// interfaces' default bodies cover the rest. Every call arrives on the session's serial delegate queue.
/// </summary>
internal sealed class PrintingDelegate : IDataTaskDelegate
{
    private readonly TaskCompletionSource _invalidated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Only touched on the serial delegate queue: no lock needed.
    private readonly Dictionary<long, long> _delivered = [];

    /// <summary>Completes once <see cref="DidBecomeInvalid"/> arrived.</summary>
    public Task Invalidated => _invalidated.Task;

    public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
    {
        var http = (HttpUrlResponse)response;
        var length = response.ExpectedContentLength < 0 ? "unknown length" : $"{response.ExpectedContentLength} bytes";
        Tour.Print($"[delegate] task {task.TaskIdentifier}: response {http.StatusCode}, {response.MimeType}, {length}");
        return ValueTask.FromResult(ResponseDisposition.Allow);
    }

    public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
    {
        // Counted here, not read from task.CountOfBytesReceived: the session reads ahead of the delegate (up to its
        // 1 MiB window), so that counter is already past the chunks delivered so far.
        var total = _delivered.GetValueOrDefault(task.TaskIdentifier) + data.Length;
        _delivered[task.TaskIdentifier] = total;
        Tour.Print($"[delegate] task {task.TaskIdentifier}: chunk of {data.Length,6} bytes (total {total})");
    }

    public void DidComplete(UrlSession session, SessionTask task, UrlError? error) =>
        Tour.Print(error is null
            ? $"[delegate] task {task.TaskIdentifier}: completed, {task.CountOfBytesReceived} bytes"
            : $"[delegate] task {task.TaskIdentifier}: completed with {error.Code} ({(int)error.Code})");

    public void DidBecomeInvalid(UrlSession session, Exception? error)
    {
        Tour.Print($"[delegate] {session}: DidBecomeInvalid (error: {error?.Message ?? "none"})");
        _invalidated.TrySetResult();
    }
}
