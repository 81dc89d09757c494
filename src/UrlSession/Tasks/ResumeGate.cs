namespace UrlSessions;

/// <summary>
/// An async gate the body pump passes before every read: closed while the task is suspended, so the pump
/// stops reading and TCP flow control pauses the server. Opening it releases every waiter.
/// </summary>
/// <remarks>
/// Every task starts suspended, so a closed gate is common while waiting on one is rare: the
/// <see cref="TaskCompletionSource"/> is created only when someone actually waits on a closed gate.
/// A mutable struct, kept as a field of its task's runner and only ever used through a <c>ref</c> to that field (never
/// copied): one object fewer per task.
/// </remarks>
internal struct ResumeGate
{
    private static readonly Task Open = Task.CompletedTask;
    private static readonly object ClosedWithoutWaiters = new();

    // null: open; ClosedWithoutWaiters: closed, nobody waiting; a TaskCompletionSource: closed, with waiters.
    private object? _state = ClosedWithoutWaiters;

    public ResumeGate()
    {
    }

    public bool IsOpen => Volatile.Read(ref _state) is null;

    /// <summary>Completes at once when open; otherwise when the gate opens.</summary>
    public Task WaitAsync()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state is null)
            {
                return Open;
            }

            if (state is TaskCompletionSource waiters)
            {
                return waiters.Task;
            }

            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.CompareExchange(ref _state, created, ClosedWithoutWaiters) == ClosedWithoutWaiters)
            {
                return created.Task;
            }
        }
    }

    public void Close() => Interlocked.CompareExchange(ref _state, ClosedWithoutWaiters, null);

    public void OpenGate() => (Interlocked.Exchange(ref _state, null) as TaskCompletionSource)?.TrySetResult();
}
