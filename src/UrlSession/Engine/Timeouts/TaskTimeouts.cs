namespace UrlSessions;

/// <summary>
/// The request (idle) and resource timeouts of one task. All of a session's tasks share one timer
/// (<see cref="TimeoutScheduler"/>): a task allocates no timer of its own.
/// </summary>
/// <remarks>
/// The hot path only writes a timestamp (<see cref="Touch"/>); it never reschedules the timer. When the
/// timer fires it compares the deadlines with the clock and either times the task out or re-arms itself
/// for the nearest remaining deadline. While the task is suspended the idle timeout does not count (the
/// user paused it, the server did not stall); the resource timeout always does.
/// </remarks>
internal sealed class TaskTimeouts : IDisposable
{
    private readonly TimeoutScheduler _scheduler;
    private long _lastActivity;

    public TaskTimeouts(TimeoutScheduler scheduler, TimeSpan idle, TimeSpan resource, SessionTask task)
    {
        _scheduler = scheduler;
        Idle = idle;
        Resource = resource;
        Task = task;
    }

    public TimeSpan Idle { get; }

    public TimeSpan Resource { get; }

    public SessionTask Task { get; }

    // The fields below are guarded by the scheduler's lock.
    internal long Started { get; set; }

    internal bool Paused { get; set; }

    /// <summary>The task stopped reading for its own reasons (a slow consumer, a delegate deciding, the body's end).</summary>
    internal bool Held { get; set; }

    /// <summary>Whether the idle timeout counts now: not while the user suspended the task or the task holds back itself.</summary>
    internal bool IdleCounts => !Paused && !Held && Idle != Timeout.InfiniteTimeSpan;

    /// <summary>Timed out, or disposed: never fires (again).</summary>
    internal bool Done { get; set; }

    internal TaskTimeouts? Previous { get; set; }

    internal TaskTimeouts? Next { get; set; }

    internal long LastActivity
    {
        get => Volatile.Read(ref _lastActivity);
        set => Volatile.Write(ref _lastActivity, value);
    }

    public void Start(bool paused) => _scheduler.Start(this, paused);

    /// <summary>Bytes moved: the idle wait starts again.</summary>
    public void Touch() => LastActivity = _scheduler.Time.GetTimestamp();

    public void Pause() => _scheduler.Pause(this);

    public void Continue() => _scheduler.Continue(this);

    /// <summary>
    /// The task stopped reading for its own reasons (a slow consumer holds the pump back, a delegate decides, or the
    /// body was read to the end): the idle timeout does not count until <see cref="ReleaseIdle"/>, since the server
    /// is not stalling.
    /// </summary>
    public void HoldIdle() => _scheduler.Hold(this);

    /// <summary>Reading again: the idle wait starts over.</summary>
    public void ReleaseIdle() => _scheduler.Release(this);

    public void Dispose() => _scheduler.Remove(this);
}
