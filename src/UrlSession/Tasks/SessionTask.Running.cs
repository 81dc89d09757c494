using System.Net;

namespace UrlSessions;

// The pipeline every kind of task runs: validate → wait for the begin date → send (redirects and
// challenges) → hand the response to the task kind's body handling → complete exactly once.
public abstract partial class SessionTask
{
    /// <summary>Redirects followed at most; the 17th redirect response fails the task.</summary>
    internal const int MaxRedirects = 16;

    private TaskTimeouts? _timeouts;
    private HttpTransport.Generation? _transport;
    private TaskMetricsRecorder? _metrics;
    private int _bodySends;

    /// <summary>Delegate events this task does not deliver (completion-handler tasks skip response and data events).</summary>
    private protected virtual DelegateMember SuppressedEvents => DelegateMember.None;

    /// <summary>Events only the task's own delegate receives (the async forms deliver the body to the caller instead).</summary>
    private protected virtual DelegateMember OwnDelegateOnlyEvents => DelegateMember.None;

    /// <summary>The task kind's part: consume the final response's body (the caller disposes the message).</summary>
    private protected abstract Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response);

    /// <summary>Posts the task kind's completion handler, if any, on the delegate queue.</summary>
    private protected virtual Task PostCompletionHandler(UrlError? error) => Task.CompletedTask;

    /// <summary>Called once the task completed, before <see cref="Completion"/> completes.</summary>
    private protected virtual void OnCompleted(UrlError? error)
    {
    }

    /// <summary>The delegate that handles an event: the task's own if it implements it, else the session's, else none.</summary>
    internal T? DelegateFor<T>(DelegateMember member)
        where T : class, ISessionDelegate
    {
        if ((SuppressedEvents & member) != 0)
        {
            return null;
        }

        if (Delegate is T own && DelegateInspector.Implements(own, member))
        {
            return own;
        }

        return (OwnDelegateOnlyEvents & member) == 0 && Session.Delegate is T shared && DelegateInspector.Implements(shared, member) ? shared : null;
    }

    /// <summary>Counts received body bytes and restarts the idle timeout.</summary>
    internal void OnBodyBytesReceived(int count)
    {
        AddBytesReceived(count);
        _timeouts?.Touch();
    }

    private void OnResumed() => _timeouts?.Continue();

    private void OnSuspended() => _timeouts?.Pause();

    private async Task RunAsync()
    {
        var time = Session.Settings.TimeProvider;
        var started = time.GetTimestamp();
        _metrics = DelegateFor<ISessionTaskDelegate>(DelegateMember.DidFinishCollectingMetrics) is null ? null : new TaskMetricsRecorder(time);
        UrlError? error = null;
        try
        {
            Cancellation.Token.ThrowIfCancellationRequested();
            _transport = Session.Transport.Acquire();
            var request = RequestValidation.Validate(OriginalRequest!);
            Log.TaskStarted(Session.Logger, TaskIdentifier, request.Method.Method, UrlText.Safe(request.Url));
            request = await WaitForBeginDateAsync(request).ConfigureAwait(false);

            var idle = request.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest;
            _timeouts = new TaskTimeouts(time, idle, Session.Settings.TimeoutIntervalForResource, OnTimedOut);
            _timeouts.Start(paused: !Gate.IsOpen);

            using var message = await SendFollowingRedirectsAsync(request).ConfigureAwait(false);
            await ReceiveBodyAsync(message, (HttpUrlResponse)Response!).ConfigureAwait(false);
            _metrics?.ResponseEnded();
        }
        catch (Exception ex)
        {
            error = ErrorMapping.ToUrlError(ex, this);
        }
        finally
        {
            _timeouts?.Dispose();
            if (_transport is not null)
            {
                Session.Transport.Release(_transport);
            }
        }

        await CompleteAsync(error, time.GetElapsedTime(started)).ConfigureAwait(false);
    }

    private void OnTimedOut(string which)
    {
        var url = CurrentRequest?.Url;
        var message = which == "resource"
            ? $"The task for {UrlText.Safe(url)} took longer than its resource timeout ({Session.Settings.TimeoutIntervalForResource})."
            : $"The request to {UrlText.Safe(url)} timed out: no data arrived for {OriginalRequest?.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest}.";
        Stop(SessionTaskState.Canceling, new UrlError(UrlErrorCode.TimedOut, message, url));
    }

    private async Task<UrlRequest> WaitForBeginDateAsync(UrlRequest request)
    {
        if (EarliestBeginDate is not { } begin)
        {
            return request;
        }

        var time = Session.Settings.TimeProvider;
        var wait = begin - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, Cancellation.Token).ConfigureAwait(false);
        }

        var target = DelegateFor<ISessionTaskDelegate>(DelegateMember.WillBeginDelayedRequest);
        if (target is null)
        {
            return request;
        }

        var result = await Session.Dispatcher.Ask(nameof(ISessionTaskDelegate.WillBeginDelayedRequestAsync), () => target.WillBeginDelayedRequestAsync(Session, this, request)).ConfigureAwait(false);
        switch (result.Disposition)
        {
            case DelayedRequestDisposition.UseNewRequest when result.NewRequest is not null:
                var replacement = RequestValidation.Validate(result.NewRequest);
                SetCurrentRequest(replacement);
                return replacement;
            case DelayedRequestDisposition.Cancel:
                Cancel();
                Cancellation.Token.ThrowIfCancellationRequested();
                return request;
            default:
                return request;
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(UrlRequest request)
    {
        for (var redirects = 0; ; redirects++)
        {
            SetCurrentRequest(request);
            var message = await SendWithChallengesAsync(request).ConfigureAwait(false);
            var response = ResponseFactory.Create(request.Url, message);
            var status = (int)message.StatusCode;
            if (!RedirectPolicy.IsRedirect(status) || message.Headers.Location is null)
            {
                SetResponse(response);
                return message;
            }

            if (redirects == MaxRedirects)
            {
                message.Dispose();
                throw new UrlError(UrlErrorCode.HttpTooManyRedirects, $"{UrlText.Safe(request.Url)} redirected once more after {MaxRedirects} redirects; the session follows at most {MaxRedirects}.", request.Url);
            }

            UrlRequest proposed;
            try
            {
                proposed = RedirectPolicy.Propose(request, status, message.Headers.Location, Session.Settings);
            }
            catch
            {
                message.Dispose();
                throw;
            }

            var target = DelegateFor<ISessionTaskDelegate>(DelegateMember.WillPerformHttpRedirection);
            var decided = target is null
                ? proposed
                : await Session.Dispatcher.Ask(nameof(ISessionTaskDelegate.WillPerformHttpRedirectionAsync), () => target.WillPerformHttpRedirectionAsync(Session, this, response, proposed)).ConfigureAwait(false);
            if (decided is null)
            {
                // The delegate refused: the redirect response is the final response, body and all.
                SetResponse(response);
                return message;
            }

            message.Dispose();
            request = RequestValidation.Validate(decided);
            Log.Redirected(Session.Logger, TaskIdentifier, status, UrlText.Safe(request.Url));
        }
    }

    private async Task<HttpResponseMessage> SendWithChallengesAsync(UrlRequest request)
    {
        var challenges = new HttpChallengeState();
        while (true)
        {
            var message = await SendOnceAsync(request, challenges.Credential).ConfigureAwait(false);
            if (message.StatusCode != HttpStatusCode.Unauthorized)
            {
                return message;
            }

            var credential = await HttpAuthentication.AnswerAsync(this, request, message, challenges).ConfigureAwait(false);
            if (credential is null)
            {
                return message;
            }

            message.Dispose();
            challenges.Credential = credential;
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(UrlRequest request, UrlCredential? credential)
    {
        var replacementBody = await NextBodyStreamAsync(request).ConfigureAwait(false);
        using var message = RequestMessageFactory.Create(request, Session.Settings, Session.DefaultHeaders, credential, replacementBody);
        _metrics?.RequestStarted(request);
        _timeouts?.Touch();
        HttpResponseMessage response;
        try
        {
            response = await _transport!.Invoker.SendAsync(message, Cancellation.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ResponseEnded && !Cancellation.IsCancellationRequested)
        {
            // SocketsHttpHandler reports an HTTP/0.9 reply (a body without a status line) as "response ended"; the
            // connection was fine, the server just never sent a valid status line and headers.
            throw new UrlError(UrlErrorCode.BadServerResponse, $"The server at {UrlText.Safe(request.Url)} closed the connection without sending a valid HTTP status line and headers (HTTP/0.9 responses are not supported).", request.Url, ex);
        }

        _timeouts?.Touch();
        _metrics?.ResponseStarted(request.Url, response);
        CookieHandling.StoreResponseCookies(request, response, Session.Settings);
        return response;
    }

    /// <summary>A stream body is one-shot: from the second send on, the delegate must supply a new stream.</summary>
    private async Task<Stream?> NextBodyStreamAsync(UrlRequest request)
    {
        if (request.Body is not { IsReplayable: false } || Interlocked.Increment(ref _bodySends) == 1)
        {
            return null;
        }

        var target = DelegateFor<ISessionTaskDelegate>(DelegateMember.NeedNewBodyStream);
        var stream = target is null
            ? null
            : await Session.Dispatcher.Ask(nameof(ISessionTaskDelegate.NeedNewBodyStreamAsync), () => target.NeedNewBodyStreamAsync(Session, this)).ConfigureAwait(false);
        return stream ?? throw new UrlError(UrlErrorCode.RequestBodyStreamExhausted, $"The request to {UrlText.Safe(request.Url)} must be sent again, and its body stream can be read only once: the delegate's NeedNewBodyStreamAsync gave no new stream.", request.Url);
    }

    private async Task CompleteAsync(UrlError? error, TimeSpan elapsed)
    {
        if (!TryMarkCompleted(error))
        {
            return;
        }

        if (error is null)
        {
            Log.TaskSucceeded(Session.Logger, TaskIdentifier, elapsed.TotalMilliseconds);
        }
        else
        {
            Log.TaskFailed(Session.Logger, TaskIdentifier, error.Code, error.Message);
        }

        var last = Task.CompletedTask;
        if (_metrics is not null && DelegateFor<ISessionTaskDelegate>(DelegateMember.DidFinishCollectingMetrics) is { } metricsTarget)
        {
            var metrics = _metrics.Build(elapsed);
            last = Session.Dispatcher.Post(nameof(ISessionTaskDelegate.DidFinishCollectingMetrics), () => metricsTarget.DidFinishCollectingMetrics(Session, this, metrics));
        }

        if (DelegateFor<ISessionTaskDelegate>(DelegateMember.DidComplete) is { } completeTarget)
        {
            last = Session.Dispatcher.Post(nameof(ISessionTaskDelegate.DidComplete), () => completeTarget.DidComplete(Session, this, error));
        }

        var handler = PostCompletionHandler(error);
        await Task.WhenAll(last, handler).ConfigureAwait(false);
        OnCompleted(error);
        Session.Registry.Remove(this);
        SignalCompletion();
    }
}
