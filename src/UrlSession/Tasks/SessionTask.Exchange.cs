namespace UrlSessions;

// What the exchange stages see of a task: its decisions, progress and timing, behind IExchangeHost. Explicit
// implementations: none of this is public, and the task itself is the host so that a request allocates no adapter.
public abstract partial class SessionTask : IExchangeHost, IRequestBodyProgress
{
    IRequestBodyProgress IExchangeHost.BodyProgress => this;

    bool IRequestBodyProgress.CanSend => Gate.IsOpen;

    void IExchangeHost.OnRequestChanged(UrlRequest request) => SetCurrentRequest(request);

    void IExchangeHost.AnnotateRequest(HttpRequestMessage message)
    {
        if (message.RequestUri?.Scheme == Uri.UriSchemeHttps && ServerTrustEvaluator.AsksDelegate(Session, this))
        {
            // Only when some delegate answers server trust: the options dictionary costs an allocation per request.
            message.Options.Set(ServerTrustEvaluator.TaskOption, this);
        }
    }

    void IExchangeHost.OnSendStarted(UrlRequest request)
    {
        _observer?.SendStarted(this, request);
        _timeouts?.Touch();
    }

    void IExchangeHost.OnResponseHeaders(UrlRequest request, HttpResponseMessage message)
    {
        _timeouts?.Touch();
        _observer?.ResponseHeaders(this, request, message);
    }

    void IExchangeHost.OnSendFailed(UrlRequest request, Exception exception) => _observer?.SendFailed(this, request, exception);

    void IExchangeHost.OnRedirected(int status, UrlRequest next) => _observer?.Redirected(this, status, next);

    ValueTask<UrlRequest?> IExchangeHost.DecideRedirectAsync(HttpUrlResponse response, UrlRequest proposed) =>
        DelegateFor<ISessionTaskDelegate>(DelegateMember.WillPerformHttpRedirection) is { } target
            ? new(AskWillPerformHttpRedirection(target, response, proposed))
            : new(proposed);

    ValueTask<ChallengeResponse> IExchangeHost.DecideChallengeAsync(AuthenticationChallenge challenge) =>
        DelegateFor<ISessionTaskDelegate>(DelegateMember.TaskDidReceiveChallenge) is { } target
            ? new(AskDidReceiveChallenge(target, challenge))
            : new(ChallengeResponse.PerformDefaultHandling);

    ValueTask<Stream?> IExchangeHost.NeedNewBodyStreamAsync() =>
        DelegateFor<ISessionTaskDelegate>(DelegateMember.NeedNewBodyStream) is { } target
            ? new(AskNeedNewBodyStream(target))
            : new((Stream?)null);

    void IExchangeHost.OnWaitingForConnectivity()
    {
        if (DelegateFor<ISessionTaskDelegate>(DelegateMember.TaskIsWaitingForConnectivity) is { } target)
        {
            PostTaskIsWaitingForConnectivity(target);
        }
    }

    void IExchangeHost.PauseIdleTimeout() => _timeouts?.Pause();

    void IExchangeHost.ContinueIdleTimeout() => _timeouts?.Continue();

    void IExchangeHost.Cancel() => Cancel();

    ValueTask IRequestBodyProgress.WaitUntilSendableAsync(CancellationToken cancellationToken) => new(BodyReader.WaitWhileSuspendedAsync(this, cancellationToken));

    void IRequestBodyProgress.OnBodySendStarted(long expectedLength) => OnBodySendStarted(expectedLength);

    void IRequestBodyProgress.OnBodyBytesSent(int count) => OnBodyBytesSent(count);

    private Task<ChallengeResponse> AskDidReceiveChallenge(ISessionTaskDelegate target, AuthenticationChallenge challenge) =>
        AskDelegateAsync(nameof(ISessionTaskDelegate.DidReceiveChallengeAsync), () => target.DidReceiveChallengeAsync(Session, this, challenge));

    private void PostTaskIsWaitingForConnectivity(ISessionTaskDelegate target) =>
        Session.Dispatcher.Post(this, nameof(ISessionTaskDelegate.TaskIsWaitingForConnectivity), () => target.TaskIsWaitingForConnectivity(Session, this));
}
