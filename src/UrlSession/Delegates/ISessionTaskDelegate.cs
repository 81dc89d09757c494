namespace UrlSessions;

/// <summary>Events every kind of task reports. Every member has a default body.</summary>
public interface ISessionTaskDelegate : ISessionDelegate
{
    /// <summary>A task was created in the session.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The new task.</param>
    void DidCreateTask(UrlSession session, SessionTask task)
    {
    }

    /// <summary>A task with an <see cref="SessionTask.EarliestBeginDate"/> is about to start; continue, replace or cancel it.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="request">The request it would send.</param>
    ValueTask<DelayedRequestResult> WillBeginDelayedRequestAsync(UrlSession session, SessionTask task, UrlRequest request)
        => ValueTask.FromResult(new DelayedRequestResult(DelayedRequestDisposition.ContinueLoading));

    /// <summary>The task waits for connectivity instead of failing (with <see cref="SessionConfiguration.WaitsForConnectivity"/>).</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    void TaskIsWaitingForConnectivity(UrlSession session, SessionTask task)
    {
    }

    /// <summary>
    /// A redirect arrived. Return <paramref name="newRequest"/> to follow it, another request to go there
    /// instead, or null to stop: the redirect response is then delivered as the final response.
    /// </summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="response">The 3xx response.</param>
    /// <param name="newRequest">The request the session proposes (method and body rewritten per the status code).</param>
    ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest)
        => ValueTask.FromResult<UrlRequest?>(newRequest);

    /// <summary>A task-level challenge (HTTP authentication); defaults to the credential storage's credential.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="challenge">The challenge.</param>
    ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, SessionTask task, AuthenticationChallenge challenge)
        => ValueTask.FromResult(ChallengeResponse.PerformDefaultHandling);

    /// <summary>The session must send a stream body again (redirect, authentication retry); return a fresh stream, or null to fail the task.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    ValueTask<Stream?> NeedNewBodyStreamAsync(UrlSession session, SessionTask task)
        => ValueTask.FromResult<Stream?>(null);

    /// <summary>Body bytes were sent.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="bytesSent">Bytes sent since the last event.</param>
    /// <param name="totalBytesSent">Bytes sent so far.</param>
    /// <param name="totalBytesExpectedToSend">The body's length, or -1 when unknown.</param>
    void DidSendBodyData(UrlSession session, SessionTask task, long bytesSent, long totalBytesSent, long totalBytesExpectedToSend)
    {
    }

    /// <summary>An informational (1xx) response arrived before the final one.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="response">The 1xx response.</param>
    void DidReceiveInformationalResponse(UrlSession session, SessionTask task, HttpUrlResponse response)
    {
    }

    /// <summary>The task's metrics are complete; sent just before <see cref="DidComplete"/>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="metrics">The metrics.</param>
    void DidFinishCollectingMetrics(UrlSession session, SessionTask task, TaskMetrics metrics)
    {
    }

    /// <summary>The task completed; sent exactly once, the last event of the task.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="error">Why it failed, or null on success (HTTP 4xx/5xx are successes at this level).</param>
    void DidComplete(UrlSession session, SessionTask task, UrlError? error)
    {
    }
}
