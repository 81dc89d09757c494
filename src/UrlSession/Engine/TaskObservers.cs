namespace UrlSessions;

/// <summary>
/// Several observers as one. A task's observer is null when nobody listens (no per-task cost at all), the single
/// observer itself when there is one, and a composite only when there are more.
/// </summary>
internal sealed class TaskObservers : ITaskObserver
{
    private readonly ITaskObserver[] _observers;

    private TaskObservers(ITaskObserver[] observers) => _observers = observers;

    /// <summary>One observer for all of <paramref name="observers"/>; null when there are none.</summary>
    public static ITaskObserver? Combine(params ReadOnlySpan<ITaskObserver?> observers)
    {
        ITaskObserver? only = null;
        var count = 0;
        foreach (var observer in observers)
        {
            if (observer is not null)
            {
                only = observer;
                count++;
            }
        }

        if (count <= 1)
        {
            return only;
        }

        var list = new List<ITaskObserver>(observers.Length);
        foreach (var observer in observers)
        {
            if (observer is TaskObservers many)
            {
                list.AddRange(many._observers);
            }
            else if (observer is not null)
            {
                list.Add(observer);
            }
        }

        return new TaskObservers([.. list]);
    }

    public void TaskCreated(SessionTask task)
    {
        foreach (var observer in _observers)
        {
            observer.TaskCreated(task);
        }
    }

    public void TaskStarted(SessionTask task, UrlRequest request)
    {
        foreach (var observer in _observers)
        {
            observer.TaskStarted(task, request);
        }
    }

    public void SendStarted(SessionTask task, UrlRequest request)
    {
        foreach (var observer in _observers)
        {
            observer.SendStarted(task, request);
        }
    }

    public void ResponseHeaders(SessionTask task, UrlRequest request, HttpResponseMessage message)
    {
        foreach (var observer in _observers)
        {
            observer.ResponseHeaders(task, request, message);
        }
    }

    public void SendFailed(SessionTask task, UrlRequest request, Exception exception)
    {
        foreach (var observer in _observers)
        {
            observer.SendFailed(task, request, exception);
        }
    }

    public void Redirected(SessionTask task, int status, UrlRequest next)
    {
        foreach (var observer in _observers)
        {
            observer.Redirected(task, status, next);
        }
    }

    public void ResponseBodyEnded(SessionTask task)
    {
        foreach (var observer in _observers)
        {
            observer.ResponseBodyEnded(task);
        }
    }

    public void TaskCompleted(SessionTask task, UrlError? error, TimeSpan elapsed)
    {
        foreach (var observer in _observers)
        {
            observer.TaskCompleted(task, error, elapsed);
        }
    }
}
