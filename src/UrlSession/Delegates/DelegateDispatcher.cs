using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>
/// Delivers one session's delegate events serially and in order on the delegate queue. Each event is
/// chained after the previous one, so ordering holds even on a concurrent scheduler supplied by the caller.
/// </summary>
internal sealed class DelegateDispatcher(TaskScheduler scheduler, ILogger logger)
{
    private readonly Lock _lock = new();
    private Task _tail = Task.CompletedTask;

    public TaskScheduler Scheduler { get; } = scheduler;

    /// <summary>Completes once every event queued so far has run (at once when the queue is idle).</summary>
    public Task Drained
    {
        get
        {
            lock (_lock)
            {
                return _tail;
            }
        }
    }

    /// <summary>Queues a notification; an exception it throws is logged, never propagated.</summary>
    public Task Post(string member, Action action) => Chain(_ =>
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            Log.DelegateThrew(logger, member, ex);
        }
    });

    /// <summary>Queues an event whose exception fails the task; the returned task faults with <see cref="DelegateFailureException"/>.</summary>
    public Task Invoke(string member, Action action) => Chain(_ =>
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            Log.DelegateThrew(logger, member, ex);
            throw new DelegateFailureException(member, ex);
        }
    });

    /// <summary>Queues a decision and returns its answer; the queue waits for the decision before the next event.</summary>
    public Task<T> Ask<T>(string member, Func<ValueTask<T>> decision)
    {
        Task<T> result;
        lock (_lock)
        {
            result = _tail.ContinueWith(
                static (_, state) => ((Func<ValueTask<T>>)state!)().AsTask(),
                decision,
                CancellationToken.None,
                TaskContinuationOptions.DenyChildAttach,
                Scheduler).Unwrap();
            // The next event waits for the decision to finish, whatever its outcome.
            _tail = result.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return WrapFailure(member, result);
    }

    private async Task<T> WrapFailure<T>(string member, Task<T> result)
    {
        try
        {
            return await result.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DelegateThrew(logger, member, ex);
            throw new DelegateFailureException(member, ex);
        }
    }

    private Task Chain(Action<Task> action)
    {
        lock (_lock)
        {
            var next = _tail.ContinueWith(action, CancellationToken.None, TaskContinuationOptions.DenyChildAttach, Scheduler);
            _tail = next;
            return next;
        }
    }
}
