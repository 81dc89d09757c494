namespace UrlSessions.Testing;

/// <summary>One delegate event as <see cref="RecordingDelegate"/> heard it: which member, for which task, with its arguments.</summary>
/// <param name="Name">The event's short name ("response", "data", "redirect", "complete", …; see <see cref="RecordingDelegate"/>).</param>
/// <param name="Task">The task the event is about (null for session events).</param>
/// <param name="Text">The name with the details tests assert ("redirect 302 http://…", "complete Cancelled").</param>
/// <param name="Arguments">The member's arguments after session and task, as given.</param>
/// <param name="Context">The synchronization context the event ran on.</param>
/// <param name="Scheduler">The task scheduler the event ran on.</param>
public sealed record DelegateEvent(string Name, SessionTask? Task, string Text, IReadOnlyList<object?> Arguments, SynchronizationContext? Context, TaskScheduler Scheduler)
{
    public override string ToString() => Text;
}

/// <summary>One DidSendBodyData event, with the task's counters read when it was delivered.</summary>
public readonly record struct SendEvent(long BytesSent, long TotalBytesSent, long TotalBytesExpectedToSend, long TaskCountOfBytesSent, long TaskCountOfBytesExpectedToSend);
