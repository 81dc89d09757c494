namespace UrlSessions;

/// <summary>Where a task is in its life.</summary>
public enum SessionTaskState
{
    /// <summary>Transferring (or scheduled to).</summary>
    Running,
    /// <summary>Created but not resumed yet, or paused by <see cref="SessionTask.Suspend"/>.</summary>
    Suspended,
    /// <summary>Cancelled; completion is on its way.</summary>
    Canceling,
    /// <summary>Done; <see cref="SessionTask.Error"/> says whether it failed.</summary>
    Completed,
}
