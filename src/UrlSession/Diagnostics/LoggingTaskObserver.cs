using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>The task lifecycle in the session's log (Debug level); composed only when a logger factory is configured.</summary>
internal sealed class LoggingTaskObserver(ILogger logger) : ITaskObserver
{
    public void TaskStarted(SessionTask task, UrlRequest request)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.TaskStarted(logger, task.TaskIdentifier, request.Method.Method, UrlText.Safe(request.Url));
        }
    }

    public void Redirected(SessionTask task, int status, UrlRequest next)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.Redirected(logger, task.TaskIdentifier, status, UrlText.Safe(next.Url));
        }
    }

    public void TaskCompleted(SessionTask task, UrlError? error, TimeSpan elapsed)
    {
        if (error is null)
        {
            Log.TaskSucceeded(logger, task.TaskIdentifier, elapsed.TotalMilliseconds);
        }
        else
        {
            Log.TaskFailed(logger, task.TaskIdentifier, error.Code, error.Message);
        }
    }
}
