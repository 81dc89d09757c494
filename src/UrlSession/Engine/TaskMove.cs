namespace UrlSessions;

/// <summary>What may happen to a task; <see cref="TaskTransitions"/> says what each does in each state.</summary>
internal enum TaskMove
{
    /// <summary><see cref="SessionTask.Resume"/>.</summary>
    Resume,

    /// <summary><see cref="SessionTask.Suspend"/>.</summary>
    Suspend,

    /// <summary>Cancel, a timeout, a delegate that failed the task, invalidation.</summary>
    Stop,

    /// <summary>Session disposal: stop only a task nothing else would end (never resumed, or suspended).</summary>
    StopIfSuspended,

    /// <summary>The task takes over a running task's response (BecomeDownload, BecomeStream): it runs from here.</summary>
    Adopt,

    /// <summary>The run ended; the task completes exactly once.</summary>
    Complete,
}
