namespace UrlSessions;

/// <summary>
/// An async gate the body pump passes before every read: closed while the task is suspended, so the pump
/// stops reading and TCP flow control pauses the server. Opening it releases every waiter.
/// </summary>
internal sealed class ResumeGate
{
    private static readonly Task Open = Task.CompletedTask;
    private TaskCompletionSource? _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => Volatile.Read(ref _closed) is null;

    /// <summary>Completes at once when open; otherwise when the gate opens.</summary>
    public Task WaitAsync() => Volatile.Read(ref _closed)?.Task ?? Open;

    public void Close()
    {
        if (Volatile.Read(ref _closed) is null)
        {
            Interlocked.CompareExchange(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        }
    }

    public void OpenGate() => Interlocked.Exchange(ref _closed, null)?.TrySetResult();
}
