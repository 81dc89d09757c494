namespace UrlSessions.Tests.Support;

/// <summary>A delegate queue that runs each event at once on the thread that queued it: the earliest moment user code can act.</summary>
internal sealed class InlineScheduler : TaskScheduler
{
    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
