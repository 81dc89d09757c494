namespace UrlSessions;

/// <summary>Runs tasks by posting them to a synchronization context (a UI thread's, say).</summary>
internal sealed class SynchronizationContextScheduler(SynchronizationContext context) : TaskScheduler
{
    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => context.Post(static state => ((Work)state!).Run(), new Work(this, task));

    // Inlining would run a delegate event off the context's thread.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => [];

    private sealed record Work(SynchronizationContextScheduler Scheduler, Task Task)
    {
        public void Run() => Scheduler.TryExecuteTask(Task);
    }
}
