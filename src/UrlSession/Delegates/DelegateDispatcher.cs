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
    public Task Post(string member, Action action) => Post(member, static action => action(), action);

    /// <summary>
    /// Queues a notification that takes its arguments as state, so a caller can pass them without a closure: the
    /// queued event is then the only allocation.
    /// </summary>
    public Task Post<TState>(string member, Action<TState> action, TState state)
    {
        lock (_lock)
        {
            var next = _tail.ContinueWith(
                static (_, queued) => ((QueuedEvent<TState>)queued!).Run(),
                new QueuedEvent<TState>(member, action, state, logger),
                CancellationToken.None,
                TaskContinuationOptions.DenyChildAttach,
                Scheduler);
            _tail = next;
            return next;
        }
    }

    /// <summary>
    /// Queues an event whose exception fails the task: the returned task's result is the <see cref="DelegateFailureException"/>
    /// to throw (null when the event ran through). It never faults, because it becomes the queue's tail: a faulted tail
    /// would make <see cref="Drained"/> throw one task's delegate failure into another task's completion.
    /// </summary>
    public Task<DelegateFailureException?> Invoke(string member, Action action)
    {
        lock (_lock)
        {
            var next = _tail.ContinueWith(
                static (_, queued) => ((QueuedInvoke)queued!).Run(),
                new QueuedInvoke(member, action, logger),
                CancellationToken.None,
                TaskContinuationOptions.DenyChildAttach,
                Scheduler);
            _tail = next;
            return next;
        }
    }

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

    private sealed class QueuedEvent<TState>(string member, Action<TState> action, TState state, ILogger logger)
    {
        public void Run()
        {
            try
            {
                action(state);
            }
            catch (Exception ex)
            {
                Log.DelegateThrew(logger, member, ex);
            }
        }
    }

    private sealed class QueuedInvoke(string member, Action action, ILogger logger)
    {
        public DelegateFailureException? Run()
        {
            try
            {
                action();
                return null;
            }
            catch (Exception ex)
            {
                Log.DelegateThrew(logger, member, ex);
                return new DelegateFailureException(member, ex);
            }
        }
    }
}
