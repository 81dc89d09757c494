namespace UrlSessions;

/// <summary>
/// What the exchange stages need from the task they send for, and nothing more: a stage never sees a task.
/// Decisions go to the task's delegate on the delegate queue; progress and timing go to the task's counters,
/// timeouts and observers. Implemented by the task's runner; unit tests of stages supply their own.
/// </summary>
internal interface IExchangeHost
{
    /// <summary>The request now being sent changed (a redirect or a delegate's replacement).</summary>
    void OnRequestChanged(UrlRequest request);

    /// <summary>
    /// Adds what the connection layer needs to know of the sender to a message about to be sent (for https: whose
    /// delegate decides server trust, when one does).
    /// </summary>
    void AnnotateRequest(HttpRequestMessage message);

    /// <summary>A request goes on the wire (every send counts: redirects, challenge answers and retries).</summary>
    void OnSendStarted(UrlRequest request);

    /// <summary>Response headers arrived for the request just sent.</summary>
    void OnResponseHeaders(UrlRequest request, HttpResponseMessage message);

    /// <summary>The send failed before response headers arrived.</summary>
    void OnSendFailed(UrlRequest request, Exception exception);

    /// <summary>A redirect is followed: <paramref name="next"/> is the request of the next hop.</summary>
    void OnRedirected(int status, UrlRequest next);

    /// <summary>Asks the delegate about a redirect; <paramref name="proposed"/> when nobody implements the decision, null to refuse.</summary>
    ValueTask<UrlRequest?> DecideRedirectAsync(HttpUrlResponse response, UrlRequest proposed);

    /// <summary>Asks the delegate about an HTTP challenge; default handling when nobody implements the decision.</summary>
    ValueTask<ChallengeResponse> DecideChallengeAsync(AuthenticationChallenge challenge);

    /// <summary>Asks the delegate for a fresh copy of a one-shot body stream; null when it gives none.</summary>
    ValueTask<Stream?> NeedNewBodyStreamAsync();

    /// <summary>The host cannot be reached and the exchange waits to try again (reported once per task).</summary>
    void OnWaitingForConnectivity();

    /// <summary>Stops the idle (request) timeout while the exchange waits on purpose; <see cref="ContinueIdleTimeout"/> restarts it.</summary>
    void PauseIdleTimeout();

    /// <summary>The idle wait starts over.</summary>
    void ContinueIdleTimeout();

    /// <summary>Cancels the task (a delegate answered Cancel).</summary>
    void Cancel();

    /// <summary>Receives the request body's progress and pauses it while the task is suspended.</summary>
    IRequestBodyProgress BodyProgress { get; }
}
