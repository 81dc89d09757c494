namespace UrlSessions;

/// <summary>
/// The request (idle) and resource timeouts of one task, on one timer from the injected clock.
/// </summary>
/// <remarks>
/// The hot path only writes a timestamp (<see cref="Touch"/>); it never reschedules the timer. When the
/// timer fires it compares the deadlines with the clock and either times the task out or re-arms itself
/// for the nearest remaining deadline. While the task is suspended the idle timeout does not count (the
/// user paused it, the server did not stall); the resource timeout always does.
/// </remarks>
internal sealed class TaskTimeouts : IDisposable
{
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(24);
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _resource;
    private readonly SessionTask _task;
    private ITimer? _timer;
    private long _started;
    private long _lastActivity;
    private bool _paused;
    private bool _fired;

    // The task itself, not an OnTimedOut delegate, and this object as its own lock: two allocations fewer per task.
    public TaskTimeouts(TimeProvider time, TimeSpan idle, TimeSpan resource, SessionTask task)
    {
        _time = time;
        _idle = idle;
        _resource = resource;
        _task = task;
    }

    public void Start(bool paused)
    {
        lock (this)
        {
            _started = _lastActivity = _time.GetTimestamp();
            _paused = paused;
            if (_idle == Timeout.InfiniteTimeSpan && _resource == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            _timer = _time.CreateTimer(static state => ((TaskTimeouts)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ArmLocked();
        }
    }

    /// <summary>Bytes moved: the idle wait starts again.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    public void Pause()
    {
        lock (this)
        {
            _paused = true;
        }
    }

    public void Continue()
    {
        lock (this)
        {
            _paused = false;
            _lastActivity = _time.GetTimestamp();
            ArmLocked();
        }
    }

    public void Dispose()
    {
        lock (this)
        {
            _fired = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void OnTimer()
    {
        string? which = null;
        lock (this)
        {
            if (_fired || _timer is null)
            {
                return;
            }

            var now = _time.GetTimestamp();
            if (_resource != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(_started, now) >= _resource)
            {
                which = "resource";
            }
            else if (!_paused && _idle != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(Volatile.Read(ref _lastActivity), now) >= _idle)
            {
                which = "request";
            }

            if (which is null)
            {
                ArmLocked();
                return;
            }

            _fired = true;
        }

        _task.OnTimedOut(which);
    }

    private void ArmLocked()
    {
        if (_timer is null || _fired)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var due = Timeout.InfiniteTimeSpan;
        if (_resource != Timeout.InfiniteTimeSpan)
        {
            due = Max(_resource - _time.GetElapsedTime(_started, now), TimeSpan.Zero);
        }

        if (!_paused && _idle != Timeout.InfiniteTimeSpan)
        {
            var idleDue = Max(_idle - _time.GetElapsedTime(Volatile.Read(ref _lastActivity), now), TimeSpan.Zero);
            due = due == Timeout.InfiniteTimeSpan ? idleDue : Min(due, idleDue);
        }

        // Timers take at most ~49 days; a longer deadline is reached by re-arming.
        if (due > MaxTimerDue)
        {
            due = MaxTimerDue;
        }

        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
