namespace UrlSessions;

/// <summary>The session's live tasks, and the bookkeeping that tells invalidation when the last one is gone.</summary>
internal sealed class TaskRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, SessionTask> _tasks = [];
    private Action? _onEmpty;

    public void Add(SessionTask task)
    {
        lock (_lock)
        {
            _tasks.Add(task.TaskIdentifier, task);
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
            if (_tasks.Count > 0)
            {
                _onEmpty = onEmpty;
                return;
            }
        }

        onEmpty();
    }
}
