using System.Net;
using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;

namespace UrlSessions;

// The pipeline every kind of task runs: validate → wait for the begin date → send (redirects and
// challenges) → hand the response to the task kind's body handling → complete exactly once.
// The private steps return ValueTask with pooled builders: each is awaited exactly once, and a task's
// sends then reuse state-machine boxes instead of allocating three or four per request.
public abstract partial class SessionTask
{
    /// <summary>Redirects followed at most; the 17th redirect response fails the task.</summary>
    internal const int MaxRedirects = 16;

    private TaskTimeouts? _timeouts;
    private HttpTransport.Generation? _transport;
    private TaskMetricsRecorder? _metrics;
    private RequestBody? _sentStreamBody;

    /// <summary>Delegate events this task does not deliver (completion-handler tasks skip response and data events).</summary>
    private protected virtual DelegateMember SuppressedEvents => DelegateMember.None;

    /// <summary>Events only the task's own delegate receives (the async forms deliver the body to the caller instead).</summary>
    private protected virtual DelegateMember OwnDelegateOnlyEvents => DelegateMember.None;

    /// <summary>The task kind's part: consume the final response's body (the caller disposes the message).</summary>
    private protected abstract Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response);

    /// <summary>Whether the task handed its response to another task (BecomeDownload) and so reports no completion.</summary>
    private protected virtual bool HandedOver => false;

    /// <summary>The idle (request) timeout of a task that takes over another's response; a stream task's reads carry their own.</summary>
    private protected virtual TimeSpan AdoptedIdleTimeout(UrlRequest request) => request.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest;

    /// <summary>The request to send first, validated; a task kind may derive it (a download from resume data).</summary>
    private protected virtual UrlRequest PrepareRequest() => RequestValidation.Validate(OriginalRequest!);

    /// <summary>The task failed: the task kind may clean up or enrich the error (a download attaches resume data).</summary>
    private protected virtual UrlError OnFailed(UrlError error) => error;

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

    /// <summary>A send of the body begins: totals start again (a re-send after a 307/308 or a challenge sends it whole).</summary>
    internal void OnBodySendStarted(long expected)
    {
        SetExpectedToSend(expected);
        ResetBytesSent();
    }

    /// <summary>Counts sent body bytes, restarts the idle timeout and reports them to the delegate.</summary>
    internal void OnBodyBytesSent(int count)
    {
        var total = AddBytesSent(count);
        _timeouts?.Touch();
        if (DelegateFor<ISessionTaskDelegate>(DelegateMember.DidSendBodyData) is { } target)
        {
            // Over HTTP/2 the response can complete the task while the body is still going out. Checked and posted
            // under the state lock: DidComplete is posted only after the state turned Completed under that lock, so a
            // body-sent event is either queued before it or not at all.
            lock (StateLock)
            {
                if (_state == SessionTaskState.Completed)
                {
                    return;
                }

                // Once per chunk sent: the arguments travel as state, so the queued event is the only allocation.
                var sent = (Target: target, Task: this, Count: count, Total: total, Expected: CountOfBytesExpectedToSend);
                _ = Session.Dispatcher.Post(this, nameof(ISessionTaskDelegate.DidSendBodyData), static e => e.Target.DidSendBodyData(e.Task.Session, e.Task, e.Count, e.Total, e.Expected), sent);
            }
        }
    }

    /// <summary>The body pump stopped reading for the consumer's sake (backpressure, or the body ended): not network idle time.</summary>
    internal void HoldIdleTimeout() => _timeouts?.HoldIdle();

    /// <summary>The body pump reads from the network again: the idle wait starts over.</summary>
    internal void ReleaseIdleTimeout() => _timeouts?.ReleaseIdle();

    /// <summary>
    /// Asks the delegate for a decision on the delegate queue. The idle timeout does not count while the delegate
    /// decides (it may ask the user); the resource timeout does.
    /// </summary>
    internal async Task<T> AskDelegateAsync<T>(string member, Func<ValueTask<T>> decision)
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

    private void OnResumed() => _timeouts?.Continue();

    /// <summary>The task stops timing itself (its response went to another task, which has its own timeouts).</summary>
    private protected void StopTimeouts() => _timeouts?.Dispose();

    private void OnSuspended() => _timeouts?.Pause();

    // Pooled: it is always awaited (by the async forms through ResumeInlineAsync, else by RunDetachedAsync), so its
    // large box goes back to the pool and the next task reuses it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync()
    {
        var time = Session.Settings.TimeProvider;
        var started = time.GetTimestamp();
        _metrics = DelegateFor<ISessionTaskDelegate>(DelegateMember.DidFinishCollectingMetrics) is null ? null : new TaskMetricsRecorder(time);
        UrlError? error = null;
        try
        {
            Cancellation.Token.ThrowIfCancellationRequested();
            _transport = Session.Transport.Acquire();
            var request = PrepareRequest();
            if (Session.Logger.IsEnabled(LogLevel.Debug))
            {
                Log.TaskStarted(Session.Logger, TaskIdentifier, request.Method.Method, UrlText.Safe(request.Url));
            }
            request = await WaitForBeginDateAsync(request).ConfigureAwait(false);

            var idle = request.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest;
            _timeouts = new TaskTimeouts(Session.Timeouts, idle, Session.Settings.TimeoutIntervalForResource, this);
            _timeouts.Start(paused: !Gate.IsOpen);

            using var message = await SendFollowingRedirectsAsync(request).ConfigureAwait(false);
            await ReceiveBodyAsync(message, (HttpUrlResponse)Response!).ConfigureAwait(false);
            _metrics?.ResponseEnded();
        }
        catch (Exception ex)
        {
            error = OnFailed(ErrorMapping.ToUrlError(ex, this));
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

    /// <summary>
    /// Runs this task from a response another task already received (a data task that became a download task):
    /// the body stage and completion only, with this task's own cancellation and timeouts.
    /// </summary>
    /// <remarks>
    /// The task was marked running when it was created (<see cref="MarkAdoptedRunning"/>); it may have been suspended
    /// since. It reports the metrics <paramref name="handedOverBy"/> collected (that task reports none): the
    /// transactions that led to this response are this task's history too.
    /// </remarks>
    internal async Task RunAdoptedAsync(HttpResponseMessage message, HttpUrlResponse response, UrlRequest request, SessionTask handedOverBy)
    {
        var time = Session.Settings.TimeProvider;
        var started = time.GetTimestamp();
        _metrics = handedOverBy._metrics;
        SetCurrentRequest(request);
        SetResponse(response);
        UrlError? error = null;
        _timeouts = new TaskTimeouts(Session.Timeouts, AdoptedIdleTimeout(request), Session.Settings.TimeoutIntervalForResource, this);
        _timeouts.Start(paused: !Gate.IsOpen);
        try
        {
            Cancellation.Token.ThrowIfCancellationRequested();
            await ReceiveBodyAsync(message, response).ConfigureAwait(false);
            _metrics?.ResponseEnded();
        }
        catch (Exception ex)
        {
            error = OnFailed(ErrorMapping.ToUrlError(ex, this));
        }
        finally
        {
            _timeouts.Dispose();
        }

        await CompleteAsync(error, _metrics?.SinceTaskStart() ?? time.GetElapsedTime(started)).ConfigureAwait(false);
    }

    internal void OnTimedOut(string which)
    {
        var url = CurrentRequest?.Url;
        var message = which == "resource"
            ? $"The task for {UrlText.Safe(url)} took longer than its resource timeout ({Session.Settings.TimeoutIntervalForResource})."
            : $"The request to {UrlText.Safe(url)} timed out: no data arrived for {OriginalRequest?.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest}.";
        Stop(SessionTaskState.Canceling, new UrlError(UrlErrorCode.TimedOut, message, url));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<UrlRequest> WaitForBeginDateAsync(UrlRequest request)
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

        var result = await AskWillBeginDelayedRequest(target, request).ConfigureAwait(false);
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

    /// <summary>
    /// Sends the request and any it leads to (challenge answers, redirects) until a final response. One state machine
    /// for the whole exchange: the common path suspends once, here, where nested async steps would each need a box.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected async ValueTask<HttpResponseMessage> SendFollowingRedirectsAsync(UrlRequest request)
    {
        // Per hop, created at its first 401 only: most requests are never challenged.
        HttpChallengeState? challenges = null;
        for (var redirects = 0; ;)
        {
            SetCurrentRequest(request);
            var replacementBody = await NextBodyStreamAsync(request).ConfigureAwait(false);
            _metrics?.RequestStarted(request);
            _timeouts?.Touch();
            HttpResponseMessage message;
            try
            {
                message = await SendWaitingForConnectivityAsync(request, challenges?.Credential, replacementBody).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ResponseEnded && !Cancellation.IsCancellationRequested)
            {
                // SocketsHttpHandler reports an HTTP/0.9 reply (a body without a status line) as "response ended"; the
                // connection was fine, the server just never sent a valid status line and headers.
                throw new UrlError(UrlErrorCode.BadServerResponse, $"The server at {UrlText.Safe(request.Url)} closed the connection without sending a valid HTTP status line and headers (HTTP/0.9 responses are not supported).", request.Url, ex);
            }

            _timeouts?.Touch();
            UrlRequest? decided;
            int status;
            try
            {
                _metrics?.ResponseStarted(request.Url, message);
                CookieHandling.StoreResponseCookies(request, message, Session.Settings);

                if (message.StatusCode == HttpStatusCode.Unauthorized)
                {
                    challenges ??= new HttpChallengeState();
                    var credential = await HttpAuthentication.AnswerAsync(this, request, message, challenges).ConfigureAwait(false);
                    if (credential is not null)
                    {
                        message.Dispose();
                        challenges.Credential = credential;
                        continue;
                    }
                }

                var response = ResponseFactory.Create(request.Url, message);
                status = (int)message.StatusCode;
                if (!RedirectPolicy.IsRedirect(status) || message.Headers.Location is null)
                {
                    SetResponse(response);
                    return message;
                }

                if (redirects == MaxRedirects)
                {
                    throw new UrlError(UrlErrorCode.HttpTooManyRedirects, $"{UrlText.Safe(request.Url)} redirected once more after {MaxRedirects} redirects; the session follows at most {MaxRedirects}.", request.Url);
                }

                var proposed = RedirectPolicy.Propose(request, status, message.Headers.Location, Session.Settings);
                var target = DelegateFor<ISessionTaskDelegate>(DelegateMember.WillPerformHttpRedirection);
                decided = target is null
                    ? proposed
                    : await AskWillPerformHttpRedirection(target, response, proposed).ConfigureAwait(false);
                if (decided is null)
                {
                    // The delegate refused: the redirect response is the final response, body and all.
                    SetResponse(response);
                    return message;
                }
            }
            catch
            {
                // Whatever failed before the response was handed on (a delegate decision that threw, a bad Location, too
                // many redirects): an undisposed response would keep its connection out of the pool.
                message.Dispose();
                throw;
            }

            message.Dispose();
            request = RequestValidation.Validate(decided);
            redirects++;
            challenges = null;
            _metrics?.RedirectFollowed();
            if (Session.Logger.IsEnabled(LogLevel.Debug))
            {
                Log.Redirected(Session.Logger, TaskIdentifier, status, UrlText.Safe(request.Url));
            }
        }
    }

    /// <summary>
    /// Sends; with <see cref="SessionConfiguration.WaitsForConnectivity"/>, a host that cannot be reached is tried
    /// again with growing pauses (1 s doubling to 30 s) instead of failing, until it answers or the resource timeout
    /// ends the task. The request timeout does not count while waiting (as URLSession).
    /// </summary>
    private Task<HttpResponseMessage> SendWaitingForConnectivityAsync(UrlRequest request, UrlCredential? credential, Stream? replacementBody)
    {
        if (request.Body is null && !Session.Settings.WaitsForConnectivity)
        {
            // Nothing to try again and nothing to dispose (a message's Dispose only disposes its content): the common GET
            // goes straight to the handler, without a state machine of its own.
            return _transport!.Invoker.SendAsync(
                RequestMessageFactory.Create(request, Session.Settings, Session.DefaultHeaders, credential, replacementBody, this, OriginalRequest?.Url),
                Cancellation.Token);
        }

        return SendRetryingAsync(request, credential, replacementBody);
    }

    private async Task<HttpResponseMessage> SendRetryingAsync(UrlRequest request, UrlCredential? credential, Stream? replacementBody)
    {
        var pause = TimeSpan.FromSeconds(1);
        var notified = false;
        var expectContinue = false;
        while (true)
        {
            // A message can be sent once: every try gets a fresh one.
            using var message = RequestMessageFactory.Create(request, Session.Settings, Session.DefaultHeaders, credential, replacementBody, this, OriginalRequest?.Url);
            if (expectContinue)
            {
                message.Headers.ExpectContinue = true;
            }

            try
            {
                return await _transport!.Invoker.SendAsync(message, Cancellation.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (!expectContinue && message.Headers.ExpectContinue != true
                && message.Content is ProgressContent { TransportWriteFailed: true }
                && request.Body is { IsReplayable: true } && !Cancellation.IsCancellationRequested)
            {
                // The connection broke while the body went out. Most often the server answered early (413, 401) and
                // closed it; SocketsHttpHandler then drops that response for a bare connection error. Send once more
                // asking Expect: 100-continue: such a server answers before any of the body is sent, and that answer
                // is delivered. A server that does want the body gets it again whole (bytes and files can be re-sent).
                expectContinue = true;
                if (Session.Logger.IsEnabled(LogLevel.Debug))
                {
                    Log.ResendingWithExpectContinue(Session.Logger, TaskIdentifier, UrlText.Safe(request.Url));
                }
            }
            catch (HttpRequestException ex) when (Session.Settings.WaitsForConnectivity
                && ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                && request.Body is not { IsReplayable: false })
            {
                if (!notified && DelegateFor<ISessionTaskDelegate>(DelegateMember.TaskIsWaitingForConnectivity) is { } target)
                {
                    _ = Session.Dispatcher.Post(this, nameof(ISessionTaskDelegate.TaskIsWaitingForConnectivity), () => target.TaskIsWaitingForConnectivity(Session, this));
                }

                notified = true;
                _timeouts?.Pause();
                await Task.Delay(pause, Session.Settings.TimeProvider, Cancellation.Token).ConfigureAwait(false);
                _timeouts?.Continue();
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    /// <summary>
    /// A stream body is one-shot: from its second send on, the delegate must supply a new stream. A body the task has
    /// not sent yet (a redirect decision that brought a fresh stream) is sent as it is.
    /// </summary>
    private async ValueTask<Stream?> NextBodyStreamAsync(UrlRequest request)
    {
        if (request.Body is not { IsReplayable: false } body || !ReferenceEquals(Interlocked.Exchange(ref _sentStreamBody, body), body))
        {
            return null;
        }

        var target = DelegateFor<ISessionTaskDelegate>(DelegateMember.NeedNewBodyStream);
        var stream = target is null
            ? null
            : await AskNeedNewBodyStream(target).ConfigureAwait(false);
        return stream ?? throw new UrlError(UrlErrorCode.RequestBodyStreamExhausted, $"The request to {UrlText.Safe(request.Url)} must be sent again, and its body stream can be read only once: the delegate's NeedNewBodyStreamAsync gave no new stream.", request.Url);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CompleteAsync(UrlError? error, TimeSpan elapsed)
    {
        error = await SettleDelegateEventsAsync(error).ConfigureAwait(false);
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

        if (HandedOver)
        {
            // A data task that became a download reports nothing more: the download task carries on and completes.
            Session.Registry.Remove(this);
            SignalCompletion();
            return;
        }

        if (_metrics is not null && DelegateFor<ISessionTaskDelegate>(DelegateMember.DidFinishCollectingMetrics) is { } metricsTarget)
        {
            var metrics = _metrics.Build(elapsed);
            _ = PostDidFinishCollectingMetrics(metricsTarget, metrics);
        }

        if (DelegateFor<ISessionTaskDelegate>(DelegateMember.DidComplete) is { } completeTarget)
        {
            _ = PostDidComplete(completeTarget, error);
        }

        // Completion means every event of the task was delivered, progress events posted without waiting included.
        // The queue is serial: once a posted completion handler ran, everything the task posted before it has too.
        var delivered = PostCompletionHandler(error);
        if (delivered.IsCompleted)
        {
            delivered = Session.Dispatcher.Drained;
        }

        if (!delivered.IsCompleted)
        {
            await delivered.ConfigureAwait(false);
        }

        OnCompleted(error);
        Session.Registry.Remove(this);
        SignalCompletion();
    }

    // Delegate calls live in their own small methods: a lambda capturing a parameter or local of the
    // (async) caller makes the compiler allocate its closure at the caller's entry on every request,
    // even when no delegate is called. Here the closure exists only when the event is actually sent.
    private Task<DelayedRequestResult> AskWillBeginDelayedRequest(ISessionTaskDelegate target, UrlRequest request) =>
        Session.Dispatcher.Ask(nameof(ISessionTaskDelegate.WillBeginDelayedRequestAsync), () => target.WillBeginDelayedRequestAsync(Session, this, request));

    private Task<UrlRequest?> AskWillPerformHttpRedirection(ISessionTaskDelegate target, HttpUrlResponse response, UrlRequest proposed) =>
        AskDelegateAsync(nameof(ISessionTaskDelegate.WillPerformHttpRedirectionAsync), () => target.WillPerformHttpRedirectionAsync(Session, this, response, proposed));

    private Task<Stream?> AskNeedNewBodyStream(ISessionTaskDelegate target) =>
        AskDelegateAsync(nameof(ISessionTaskDelegate.NeedNewBodyStreamAsync), () => target.NeedNewBodyStreamAsync(Session, this));

    private Task PostDidFinishCollectingMetrics(ISessionTaskDelegate target, TaskMetrics metrics) =>
        Session.Dispatcher.Post(nameof(ISessionTaskDelegate.DidFinishCollectingMetrics), () => target.DidFinishCollectingMetrics(Session, this, metrics));

    private Task PostDidComplete(ISessionTaskDelegate target, UrlError? error) =>
        Session.Dispatcher.Post(nameof(ISessionTaskDelegate.DidComplete), static e => e.Target.DidComplete(e.Task.Session, e.Task, e.Error), (Target: target, Task: this, Error: error));
}
