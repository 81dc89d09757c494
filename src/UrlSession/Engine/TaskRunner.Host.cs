namespace UrlSessions;

// What the exchange stages and the body readers see of a task: its decisions (asked of its delegate on the delegate
// queue), progress, timing and observers.
internal sealed partial class TaskRunner : IExchangeHost, IRequestBodyProgress
{
    IRequestBodyProgress IExchangeHost.BodyProgress => this;

    bool IRequestBodyProgress.CanSend => Gate.IsOpen;

    /// <summary>The delegate that handles an event: the task's own if it implements it, else the session's, else none.</summary>
    public T? DelegateFor<T>(DelegateMember member)
        where T : class, ISessionDelegate
    {
        if ((Task.SuppressedEventsOfKind & member) != 0)
        {
            return null;
        }

        if (Task.Delegate is T own && DelegateInspector.Implements(own, member))
        {
            return own;
        }

        return (Task.OwnDelegateOnlyEventsOfKind & member) == 0 && Session.Delegate is T shared && DelegateInspector.Implements(shared, member) ? shared : null;
    }

    /// <summary>
    /// Asks the delegate for a decision on the delegate queue. The idle timeout does not count while the delegate
    /// decides (it may ask the user); the resource timeout does.
    /// </summary>
    public async Task<T> AskDelegateAsync<T>(string member, Func<ValueTask<T>> decision)
    {
        HoldIdleTimeout();
        try
        {
            return await Session.Dispatcher.Ask(member, decision).ConfigureAwait(false);
        }
        finally
        {
            ReleaseIdleTimeout();
        }
    }

    /// <summary>Counts received body bytes and restarts the idle timeout.</summary>
    public void OnBodyBytesReceived(int count)
    {
        AddBytesReceived(count);
        _timeouts?.Touch();
    }

    /// <summary>The body reader stopped reading for the consumer's sake (backpressure, or the body ended): not network idle time.</summary>
    public void HoldIdleTimeout() => _timeouts?.HoldIdle();

    /// <summary>The body reader reads from the network again: the idle wait starts over.</summary>
    public void ReleaseIdleTimeout() => _timeouts?.ReleaseIdle();

    /// <summary>A send of the body begins: totals start again (a re-send after a 307/308 or a challenge sends it whole).</summary>
    void IRequestBodyProgress.OnBodySendStarted(long expectedLength)
    {
        Interlocked.Exchange(ref _countOfBytesExpectedToSend, expectedLength);
        Interlocked.Exchange(ref _countOfBytesSent, 0);
    }

    /// <summary>Counts sent body bytes, restarts the idle timeout and reports them to the delegate.</summary>
    void IRequestBodyProgress.OnBodyBytesSent(int count)
    {
        var total = Interlocked.Add(ref _countOfBytesSent, count);
        _timeouts?.Touch();
        if (DelegateFor<ISessionTaskDelegate>(DelegateMember.DidSendBodyData) is { } target)
        {
            // Over HTTP/2 the response can complete the task while the body is still going out. Checked and posted
            // under the state lock: DidComplete is posted only after the state turned Completed under that lock, so a
            // body-sent event is either queued before it or not at all.
            lock (StateLock)
            {
                if (_state == TaskState.Completed)
                {
                    return;
                }

                // Once per chunk sent: the arguments travel as state, so the queued event is the only allocation.
                var sent = (Target: target, Task, Count: count, Total: total, Expected: CountOfBytesExpectedToSend);
                _ = Session.Dispatcher.Post(Task, nameof(ISessionTaskDelegate.DidSendBodyData), static e => e.Target.DidSendBodyData(e.Task.Session, e.Task, e.Count, e.Total, e.Expected), sent);
            }
        }
    }

    ValueTask IRequestBodyProgress.WaitUntilSendableAsync(CancellationToken cancellationToken) => new(BodyReader.WaitWhileSuspendedAsync(Task, cancellationToken));

    void IExchangeHost.OnRequestChanged(UrlRequest request) => SetCurrentRequest(request);

    void IExchangeHost.AnnotateRequest(HttpRequestMessage message)
    {
        if (message.RequestUri?.Scheme == Uri.UriSchemeHttps && ServerTrustEvaluator.AsksDelegate(Session, Task))
        {
            // Only when some delegate answers server trust: the options dictionary costs an allocation per request.
            message.Options.Set(ServerTrustEvaluator.TaskOption, Task);
        }
    }

    void IExchangeHost.OnSendStarted(UrlRequest request)
    {
        _observer?.SendStarted(Task, request);
        _timeouts?.Touch();
    }

    void IExchangeHost.OnResponseHeaders(UrlRequest request, HttpResponseMessage message)
    {
        _timeouts?.Touch();
        _observer?.ResponseHeaders(Task, request, message);
    }

    void IExchangeHost.OnSendFailed(UrlRequest request, Exception exception) => _observer?.SendFailed(Task, request, exception);

    void IExchangeHost.OnRedirected(int status, UrlRequest next) => _observer?.Redirected(Task, status, next);

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

    void IExchangeHost.Cancel() => Stop(null);

    private Task<UrlRequest?> AskWillPerformHttpRedirection(ISessionTaskDelegate target, HttpUrlResponse response, UrlRequest proposed) =>
        AskDelegateAsync(nameof(ISessionTaskDelegate.WillPerformHttpRedirectionAsync), () => target.WillPerformHttpRedirectionAsync(Session, Task, response, proposed));

    private Task<Stream?> AskNeedNewBodyStream(ISessionTaskDelegate target) =>
        AskDelegateAsync(nameof(ISessionTaskDelegate.NeedNewBodyStreamAsync), () => target.NeedNewBodyStreamAsync(Session, Task));

    private Task<ChallengeResponse> AskDidReceiveChallenge(ISessionTaskDelegate target, AuthenticationChallenge challenge) =>
        AskDelegateAsync(nameof(ISessionTaskDelegate.DidReceiveChallengeAsync), () => target.DidReceiveChallengeAsync(Session, Task, challenge));

    private void PostTaskIsWaitingForConnectivity(ISessionTaskDelegate target) =>
        Session.Dispatcher.Post(Task, nameof(ISessionTaskDelegate.TaskIsWaitingForConnectivity), () => target.TaskIsWaitingForConnectivity(Session, Task));
}
