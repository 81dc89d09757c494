namespace UrlSessions;

/// <summary>
/// Typed lifecycle events of every task of a session: what the delegate's metrics, logging and (later) a Meter and
/// an ActivitySource are built from, without the engine knowing any of them.
/// </summary>
/// <remarks>
/// Contract (as OkHttp's EventListener): events pair and nest — <see cref="TaskStarted"/>, then per send
/// <see cref="SendStarted"/> followed by <see cref="ResponseHeaders"/> or <see cref="SendFailed"/>, a
/// <see cref="Redirected"/> between hops, <see cref="ResponseBodyEnded"/> after the final body, and
/// <see cref="TaskCompleted"/> exactly once (also for a task that failed before it started). Calls come from the
/// task's own flow, not the delegate queue: an observer must be fast, thread-safe and never throw. Every member has
/// an empty default, so adding an event breaks no observer.
/// </remarks>
internal interface ITaskObserver
{
    /// <summary>A task was created in the session (before it ever ran).</summary>
    void TaskCreated(SessionTask task)
    {
    }

    /// <summary>The task's pipeline started with its first request (after validation, before any begin-date wait).</summary>
    void TaskStarted(SessionTask task, UrlRequest request)
    {
    }

    /// <summary>A request goes on the wire: a hop, a challenge's answer, or a retry.</summary>
    void SendStarted(SessionTask task, UrlRequest request)
    {
    }

    /// <summary>The response headers of the send arrived.</summary>
    void ResponseHeaders(SessionTask task, UrlRequest request, HttpResponseMessage message)
    {
    }

    /// <summary>The send failed before response headers arrived.</summary>
    void SendFailed(SessionTask task, UrlRequest request, Exception exception)
    {
    }

    /// <summary>A redirect is followed to <paramref name="next"/>.</summary>
    void Redirected(SessionTask task, int status, UrlRequest next)
    {
    }

    /// <summary>The final response's body was read to its end.</summary>
    void ResponseBodyEnded(SessionTask task)
    {
    }

    /// <summary>The task completed, with its error or null; its byte counters are final.</summary>
    void TaskCompleted(SessionTask task, UrlError? error, TimeSpan elapsed)
    {
    }
}
