namespace UrlSessions;

/// <summary>
/// One timer for all running tasks of a session, armed for the nearest deadline. Starting a task re-arms it only
/// when the new task's deadline comes first; when it fires, it times out the tasks whose deadlines have passed and
/// re-arms for the nearest remaining one.
/// </summary>
internal sealed class TimeoutScheduler : IDisposable
{
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(24);
    private readonly Lock _lock = new();
    private TaskTimeouts? _head;
    private ITimer? _timer;
    private long _armedAt;
    private TimeSpan _armedFor = Timeout.InfiniteTimeSpan;
    private bool _disposed;

    public TimeoutScheduler(TimeProvider time) => Time = time;

    public TimeProvider Time { get; }

    public void Start(TaskTimeouts timeouts, bool paused)
    {
        lock (_lock)
        {
            var now = Time.GetTimestamp();
            timeouts.Started = now;
            timeouts.LastActivity = now;
            timeouts.Paused = paused;
            if (_disposed || timeouts.Done || (timeouts.Idle == Timeout.InfiniteTimeSpan && timeouts.Resource == Timeout.InfiniteTimeSpan))
            {
                return;
            }

            timeouts.Next = _head;
            if (_head is not null)
            {
                _head.Previous = timeouts;
            }

            _head = timeouts;
            ArmIfEarlierLocked(Due(timeouts, now), now);
        }
    }

    public void Pause(TaskTimeouts timeouts)
    {
        lock (_lock)
        {
            timeouts.Paused = true;
        }
    }

    public void Continue(TaskTimeouts timeouts) => Restart(timeouts, static t => t.Paused = false);

    public void Hold(TaskTimeouts timeouts)
    {
        lock (_lock)
        {
            timeouts.Held = true;
        }
    }

    public void Release(TaskTimeouts timeouts) => Restart(timeouts, static t => t.Held = false);

    /// <summary>Changes what stopped the idle wait, then starts the wait over.</summary>
    private void Restart(TaskTimeouts timeouts, Action<TaskTimeouts> change)
    {
        lock (_lock)
        {
            var now = Time.GetTimestamp();
            change(timeouts);
            timeouts.LastActivity = now;
            if (IsLinkedLocked(timeouts))
            {
                ArmIfEarlierLocked(Due(timeouts, now), now);
            }
        }
    }

    public void Remove(TaskTimeouts timeouts)
    {
        lock (_lock)
        {
            timeouts.Done = true;
            UnlinkLocked(timeouts);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void OnTimer()
    {
        List<(TaskTimeouts Timeouts, TimeoutKind Kind)>? expired = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = Time.GetTimestamp();
            _armedFor = Timeout.InfiniteTimeSpan;
            var next = Timeout.InfiniteTimeSpan;
            for (var timeouts = _head; timeouts is not null;)
            {
                var following = timeouts.Next;
                TimeoutKind? kind = null;
                if (timeouts.Resource != Timeout.InfiniteTimeSpan && Time.GetElapsedTime(timeouts.Started, now) >= timeouts.Resource)
                {
                    kind = TimeoutKind.Resource;
                }
                else if (timeouts.IdleCounts && Time.GetElapsedTime(timeouts.LastActivity, now) >= timeouts.Idle)
                {
                    kind = TimeoutKind.Request;
                }

                if (kind is null)
                {
                    next = Earlier(next, Due(timeouts, now));
                }
                else
                {
                    timeouts.Done = true;
                    UnlinkLocked(timeouts);
                    (expired ??= []).Add((timeouts, kind.Value));
                }

                timeouts = following;
            }

            ArmIfEarlierLocked(next, now);
        }

        if (expired is not null)
        {
            foreach (var (timeouts, kind) in expired)
            {
                timeouts.Task.OnTimedOut(kind, timeouts);
            }
        }
    }

    /// <summary>How long until this task's nearest deadline (infinite when none counts now).</summary>
    private TimeSpan Due(TaskTimeouts timeouts, long now)
    {
        var due = Timeout.InfiniteTimeSpan;
        if (timeouts.Resource != Timeout.InfiniteTimeSpan)
        {
            due = Max(timeouts.Resource - Time.GetElapsedTime(timeouts.Started, now), TimeSpan.Zero);
        }

        if (timeouts.IdleCounts)
        {
            due = Earlier(due, Max(timeouts.Idle - Time.GetElapsedTime(timeouts.LastActivity, now), TimeSpan.Zero));
        }

        return due;
    }

    private void ArmIfEarlierLocked(TimeSpan due, long now)
    {
        if (due == Timeout.InfiniteTimeSpan || _disposed)
        {
            return;
        }

        if (_armedFor != Timeout.InfiniteTimeSpan && _armedFor - Time.GetElapsedTime(_armedAt, now) <= due)
        {
            return;
        }

        // Timers take at most ~49 days; a longer deadline is reached by re-arming.
        if (due > MaxTimerDue)
        {
            due = MaxTimerDue;
        }

        _timer ??= Time.CreateTimer(static state => ((TimeoutScheduler)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _armedAt = now;
        _armedFor = due;
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private bool IsLinkedLocked(TaskTimeouts timeouts) => timeouts.Previous is not null || ReferenceEquals(_head, timeouts);

    private void UnlinkLocked(TaskTimeouts timeouts)
    {
        if (!IsLinkedLocked(timeouts))
        {
            return;
        }

        if (timeouts.Previous is { } previous)
        {
            previous.Next = timeouts.Next;
        }
        else
        {
            _head = timeouts.Next;
        }

        if (timeouts.Next is { } next)
        {
            next.Previous = timeouts.Previous;
        }

        timeouts.Previous = null;
        timeouts.Next = null;
    }

    private static TimeSpan Earlier(TimeSpan a, TimeSpan b) =>
        a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : (a < b ? a : b);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
