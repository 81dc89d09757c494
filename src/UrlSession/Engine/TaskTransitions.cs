namespace UrlSessions;

/// <summary>
/// The task state machine as one table: every legal (state, move) pair, the state it leads to and its effects.
/// A pair missing from the table is illegal and changes nothing (a Resume of a completed task, a Suspend of a
/// cancelled one), which is what URLSession does with such calls. The caller applies a move under the task's lock.
/// </summary>
internal static class TaskTransitions
{
    private static readonly Dictionary<(TaskState, TaskMove), (TaskState To, TaskEffects Effects)> Table = new()
    {
        [(TaskState.Created, TaskMove.Resume)] = (TaskState.Running, TaskEffects.Start | TaskEffects.OpenGate),
        [(TaskState.Suspended, TaskMove.Resume)] = (TaskState.Running, TaskEffects.OpenGate | TaskEffects.ContinueTimeouts),
        [(TaskState.Running, TaskMove.Suspend)] = (TaskState.Suspended, TaskEffects.CloseGate | TaskEffects.PauseTimeouts),

        // A stop opens the gate so that nothing waits for a Resume that will never come.
        [(TaskState.Created, TaskMove.Stop)] = (TaskState.Canceling, TaskEffects.Start | TaskEffects.Cancel | TaskEffects.OpenGate),
        [(TaskState.Running, TaskMove.Stop)] = (TaskState.Canceling, TaskEffects.Cancel | TaskEffects.OpenGate),
        [(TaskState.Suspended, TaskMove.Stop)] = (TaskState.Canceling, TaskEffects.Cancel | TaskEffects.OpenGate),
        [(TaskState.Created, TaskMove.StopIfSuspended)] = (TaskState.Canceling, TaskEffects.Start | TaskEffects.Cancel | TaskEffects.OpenGate),
        [(TaskState.Suspended, TaskMove.StopIfSuspended)] = (TaskState.Canceling, TaskEffects.Cancel | TaskEffects.OpenGate),

        // The adopting task runs the body on the task that received it: no pipeline start of its own.
        [(TaskState.Created, TaskMove.Adopt)] = (TaskState.Running, TaskEffects.OpenGate),

        [(TaskState.Running, TaskMove.Complete)] = (TaskState.Completed, TaskEffects.None),
        [(TaskState.Suspended, TaskMove.Complete)] = (TaskState.Completed, TaskEffects.None),
        [(TaskState.Canceling, TaskMove.Complete)] = (TaskState.Completed, TaskEffects.None),
    };

    /// <summary>The state and effects of <paramref name="move"/> from <paramref name="from"/>; false when the move is illegal there.</summary>
    public static bool TryMove(TaskState from, TaskMove move, out TaskState to, out TaskEffects effects)
    {
        if (Table.TryGetValue((from, move), out var transition))
        {
            (to, effects) = transition;
            return true;
        }

        to = from;
        effects = TaskEffects.None;
        return false;
    }

    /// <summary>The state as the public API shows it.</summary>
    public static SessionTaskState ToPublic(TaskState state) => state switch
    {
        TaskState.Running => SessionTaskState.Running,
        TaskState.Canceling => SessionTaskState.Canceling,
        TaskState.Completed => SessionTaskState.Completed,
        _ => SessionTaskState.Suspended,
    };
}
