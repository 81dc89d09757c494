using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>
/// Delivers one session's delegate events serially and in order on the delegate queue. Each event is
/// chained after the previous one, so ordering holds even on a concurrent scheduler supplied by the caller.
/// </summary>
/// <remarks>
/// The exception rule: a delegate member that throws while its task runs fails that task, once, with
/// <see cref="UrlErrorCode.Unknown"/> and the exception as the inner exception (see
/// <see cref="ErrorMapping.DelegateFailure"/>). A throw that no task can carry (a session-level event, the task's
/// own <c>DidComplete</c>, metrics or completion handler, or an event whose task already completed or stopped for
/// another reason) is logged at Error and counted in <see cref="UnobservedFailures"/>.
/// </remarks>
internal sealed class DelegateDispatcher(TaskScheduler scheduler, ILogger logger)
{
    private static long s_totalUnobservedFailures;

    private readonly Lock _lock = new();
    private readonly ILogger _logger = logger;
    private Task _tail = Task.CompletedTask;
    private long _unobservedFailures;

    public TaskScheduler Scheduler { get; } = scheduler;

    /// <summary>
    /// Delegate exceptions of this session that no task could fail for, so only the log saw them (a meter exports
    /// <see cref="TotalUnobservedFailures"/>).
    /// </summary>
    public long UnobservedFailures => Interlocked.Read(ref _unobservedFailures);

    /// <summary>The same count over every session of the process.</summary>
    public static long TotalUnobservedFailures => Interlocked.Read(ref s_totalUnobservedFailures);

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

    /// <summary>Queues an event no task can fail for (session-level, or a task's completion): a throw is logged and counted.</summary>
    public Task Post(string member, Action action) => Enqueue(null, member, static action => action(), action);

    /// <summary>
    /// Queues an event no task can fail for, taking its arguments as state, so a caller can pass them without a
    /// closure: the queued event is then the only allocation.
    /// </summary>
    public Task Post<TState>(string member, Action<TState> action, TState state) => Enqueue(null, member, action, state);

    /// <summary>Queues an event of <paramref name="task"/>: a throw fails that task if it still runs, else it is logged and counted.</summary>
    public Task Post(SessionTask task, string member, Action action) => Enqueue(task, member, static action => action(), action);

    /// <summary>Queues an event of <paramref name="task"/> with its arguments as state (no closure); a throw fails that task if it still runs.</summary>
    public Task Post<TState>(SessionTask task, string member, Action<TState> action, TState state) => Enqueue(task, member, action, state);

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
                new QueuedInvoke(member, action, _logger),
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

    /// <summary>A delegate exception that no task can carry: logged at Error and counted, never rethrown.</summary>
    public void ReportUnobserved(string member, Exception exception)
    {
        Interlocked.Increment(ref _unobservedFailures);
        Interlocked.Increment(ref s_totalUnobservedFailures);
        Log.DelegateThrewUnobserved(_logger, member, exception);
    }

    private Task Enqueue<TState>(SessionTask? task, string member, Action<TState> action, TState state)
    {
        lock (_lock)
        {
            var next = _tail.ContinueWith(
                static (_, queued) => ((QueuedEvent<TState>)queued!).Run(),
                new QueuedEvent<TState>(this, task, member, action, state),
                CancellationToken.None,
                TaskContinuationOptions.DenyChildAttach,
                Scheduler);
            _tail = next;
            // Under the lock, so the task's note is its latest event in queue order.
            task?.Runner.NoteQueuedEvent(next);
            return next;
        }
    }

    private async Task<T> WrapFailure<T>(string member, Task<T> result)
    {
        try
        {
            return await result.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DelegateThrew(_logger, member, ex);
            throw new DelegateFailureException(member, ex);
        }
    }

    // The owning task travels as a field of the queued item: the task-carrying forms allocate no more than the others.
    private sealed class QueuedEvent<TState>(DelegateDispatcher dispatcher, SessionTask? task, string member, Action<TState> action, TState state)
    {
        public void Run()
        {
            try
            {
                action(state);
            }
            catch (Exception ex)
            {
                if (task is null || !task.Runner.FailFromDelegate(member, ex))
                {
                    dispatcher.ReportUnobserved(member, ex);
                }
                else
                {
                    Log.DelegateThrew(dispatcher._logger, member, ex);
                }
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
