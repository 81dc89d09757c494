namespace UrlSessions;

/// <summary>The session's live tasks, and the bookkeeping that tells invalidation when the last one is gone.</summary>
internal sealed class TaskRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, SessionTask> _tasks = [];
    private Action? _onEmpty;
    private bool _closing;

    /// <summary>
    /// Adds a task unless invalidation began (<see cref="WhenEmpty"/>): a task created while the session was being
    /// invalidated must not join after the last task left, on a transport that is gone. A task that takes over a
    /// running task's response joins anyway (<paramref name="whileClosing"/>): the registry still holds that task.
    /// </summary>
    public bool TryAdd(SessionTask task, bool whileClosing = false)
    {
        lock (_lock)
        {
            if (_closing && !whileClosing)
            {
                return false;
            }

            _tasks.Add(task.TaskIdentifier, task);
            return true;
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

    public IReadOnlyList<SessionTask> Snapshot()
    {
        lock (_lock)
        {
            return [.. _tasks.Values.OrderBy(t => t.TaskIdentifier)];
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
