namespace UrlSessions;

/// <summary>The session's live tasks, and the bookkeeping that tells invalidation when the last one is gone.</summary>
internal sealed class TaskRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, SessionTask> _tasks = [];
    private Action? _onEmpty;
    private bool _closing;
    private bool _cancelling;

    /// <summary>
    /// Adds a task unless invalidation began (<see cref="WhenEmpty"/>, <see cref="CloseAndCancelAll"/>): a task created
    /// while the session was being invalidated must not join after the last task left, on a transport that is gone. A
    /// task that takes over a running task's response joins anyway (<paramref name="whileClosing"/>): the registry still
    /// holds that task. <paramref name="mustCancel"/> says the session is cancelling every task, this one included.
    /// </summary>
    public bool TryAdd(SessionTask task, out bool mustCancel, bool whileClosing = false)
    {
        lock (_lock)
        {
            mustCancel = _cancelling;
            if (_closing && !whileClosing)
            {
                return false;
            }

            _tasks.Add(task.TaskIdentifier, task);
            return true;
        }
    }

    /// <summary>Adds a task unless invalidation began; see the other overload.</summary>
    public bool TryAdd(SessionTask task, bool whileClosing = false) => TryAdd(task, out _, whileClosing);

    /// <summary>
    /// InvalidateAndCancel: closes the registry and returns every task in it, in one step, so that no task can join
    /// between the snapshot and the close and escape the cancellation (and keep invalidation waiting for it). A task
    /// that takes over another's response later is told to cancel itself (<c>mustCancel</c>).
    /// </summary>
    public IReadOnlyList<SessionTask> CloseAndCancelAll()
    {
        lock (_lock)
        {
            _closing = true;
            _cancelling = true;
            return [.. _tasks.Values];
        }
    }

    public void Remove(SessionTask task)
    {
        Action? onEmpty = null;
        lock (_lock)
        {
            if (_tasks.Remove(task.TaskIdentifier) && _tasks.Count == 0)
            {
                onEmpty = _onEmpty;
                _onEmpty = null;
            }
        }

        onEmpty?.Invoke();
    }

    /// <summary>Every task still held, completed ones whose last step is under way included.</summary>
    public IReadOnlyList<SessionTask> Snapshot()
    {
        lock (_lock)
        {
            return [.. _tasks.Values.OrderBy(t => t.TaskIdentifier)];
        }
    }

    /// <summary>
    /// The tasks as the session shows them: not completed and not handed over to another task. A task leaves the
    /// registry only after its completion events ran, but it turns Completed (or handed over) before its
    /// <see cref="SessionTask.Completion"/> completes: filtering on that state makes completion and leaving the list
    /// one step as seen from outside.
    /// </summary>
    public IReadOnlyList<SessionTask> Visible()
    {
        lock (_lock)
        {
            return [.. _tasks.Values.Where(t => t.IsListed).OrderBy(t => t.TaskIdentifier)];
        }
    }

    /// <summary>Runs <paramref name="onEmpty"/> once, when no task is left (at once if none is).</summary>
    public void WhenEmpty(Action onEmpty)
    {
        lock (_lock)
        {
            _closing = true;
            if (_tasks.Count > 0)
            {
                _onEmpty = onEmpty;
                return;
            }
        }

        onEmpty();
    }
}
