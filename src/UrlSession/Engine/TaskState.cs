namespace UrlSessions;

/// <summary>
/// Where a task is in its life, as the engine sees it. <see cref="Created"/> and <see cref="Suspended"/> both read as
/// <see cref="SessionTaskState.Suspended"/> from outside; the engine must know whether the task ever started.
/// </summary>
internal enum TaskState
{
    /// <summary>Made, never resumed: nothing runs yet.</summary>
    Created,

    /// <summary>Started and transferring (or about to).</summary>
    Running,

    /// <summary>Started, then paused by <see cref="SessionTask.Suspend"/>: no bytes are read or sent.</summary>
    Suspended,

    /// <summary>Stopped for a reason (cancel, timeout, a failed delegate); completion is on its way.</summary>
    Canceling,

    /// <summary>Done, successfully or not.</summary>
    Completed,
}
