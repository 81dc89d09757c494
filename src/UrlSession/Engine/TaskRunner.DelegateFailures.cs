namespace UrlSessions;

// The task's side of the delegate exception rule (see DelegateDispatcher): an event of this task that throws while
// the task runs fails it, once, and events the task queued run before its completion is decided, so a throw among
// them still becomes the task's error instead of racing with a success.
internal sealed partial class TaskRunner
{
    private Task? _lastQueuedEvent;
    // One field, allocated only when a delegate failed the task: every task carries the field, few the failure.
    private DelegateFailureRecord? _delegateFailure;

    /// <summary>The dispatcher queued an event of this task (under its lock, so this is the latest in queue order).</summary>
    public void NoteQueuedEvent(Task queued) => Volatile.Write(ref _lastQueuedEvent, queued);

    /// <summary>
    /// A delegate member threw during one of this task's events: stops the task with that error. False when the task
    /// had already completed or stopped for another reason (the first reason wins), so the caller reports it instead.
    /// </summary>
    public bool FailFromDelegate(string member, Exception exception)
    {
        var error = ErrorMapping.DelegateFailure(Task, member, exception);
        if (!Stop(error))
        {
            return false;
        }

        Volatile.Write(ref _delegateFailure, new DelegateFailureRecord(error, member));
        return true;
    }

    /// <summary>
    /// Runs out the events this task queued, then settles its error: a delegate failure among them fails a task that
    /// would have succeeded. One that lost to another error is reported (logged and counted), never dropped silently.
    /// </summary>
    private async ValueTask<UrlError?> SettleDelegateEventsAsync(UrlError? error)
    {
        // Body-sent events may still be queued while this waits (HTTP/2 sends on after an early response): wait them out too.
        while (Volatile.Read(ref _lastQueuedEvent) is { IsCompleted: false } pending)
        {
            await pending.ConfigureAwait(false);
        }

        // The same failure may come back enriched (a download's OnFailed): the delegate's exception identifies it.
        if (Volatile.Read(ref _delegateFailure) is not { Error: var failure, Member: var member } || ReferenceEquals(failure.InnerException, error?.InnerException))
        {
            return error;
        }

        if (error is null)
        {
            return Task.Failed(failure);
        }

        Session.Dispatcher.ReportUnobserved(member, failure.InnerException!);
        return error;
    }

    private sealed record DelegateFailureRecord(UrlError Error, string Member);
}
