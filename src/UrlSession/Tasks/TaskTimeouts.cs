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
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _resource;
    private readonly Action<string> _onTimeout;
    private ITimer? _timer;
    private long _started;
    private long _lastActivity;
    private bool _paused;
    private bool _held;
    private bool _fired;

    public TaskTimeouts(TimeProvider time, TimeSpan idle, TimeSpan resource, Action<string> onTimeout)
    {
        _time = time;
        _idle = idle;
        _resource = resource;
        _onTimeout = onTimeout;
    }

    public void Start(bool paused)
    {
        lock (_lock)
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
        lock (_lock)
        {
            _paused = true;
        }
    }

    public void Continue()
    {
        lock (_lock)
        {
            _paused = false;
            _lastActivity = _time.GetTimestamp();
            ArmLocked();
        }
    }

    /// <summary>
    /// The task stopped reading for its own reasons (a slow consumer holds the pump back, or the body was read to
    /// the end): the idle timeout does not count until <see cref="ReleaseIdle"/>, since the server is not stalling.
    /// </summary>
    public void HoldIdle()
    {
        lock (_lock)
        {
            _held = true;
        }
    }

    /// <summary>Reading again: the idle wait starts over.</summary>
    public void ReleaseIdle()
    {
        lock (_lock)
        {
            _held = false;
            _lastActivity = _time.GetTimestamp();
            ArmLocked();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _fired = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void OnTimer()
    {
        string? which = null;
        lock (_lock)
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
            else if (!_paused && !_held && _idle != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(Volatile.Read(ref _lastActivity), now) >= _idle)
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

        _onTimeout(which);
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

        if (!_paused && !_held && _idle != Timeout.InfiniteTimeSpan)
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
