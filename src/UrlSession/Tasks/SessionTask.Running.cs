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
    private TaskTimeouts? _timeouts;
    private HttpTransport.Generation? _transport;
    private TaskMetricsRecorder? _metrics;
    private ITaskObserver? _observer;
    private ExchangeContext? _exchange;

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
                if (_state == TaskState.Completed)
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
        _observer = _metrics is null ? Session.Observer : TaskObservers.Combine(Session.Observer, _metrics);
        UrlError? error = null;
        try
        {
            Cancellation.Token.ThrowIfCancellationRequested();
            _transport = Session.Transport.Acquire();
            var request = PrepareRequest();
            _observer?.TaskStarted(this, request);
            request = await WaitForBeginDateAsync(request).ConfigureAwait(false);

            StartTimeouts(request.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest);

            using var message = await SendFollowingRedirectsAsync(request).ConfigureAwait(false);
            await ReceiveBodyAsync(message, (HttpUrlResponse)Response!).ConfigureAwait(false);
            _observer?.ResponseBodyEnded(this);
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
        _observer = handedOverBy._observer;
        SetCurrentRequest(request);
        SetResponse(response);
        UrlError? error = null;
        StartTimeouts(AdoptedIdleTimeout(request));
        try
        {
            Cancellation.Token.ThrowIfCancellationRequested();
            await ReceiveBodyAsync(message, response).ConfigureAwait(false);
            _observer?.ResponseBodyEnded(this);
        }
        catch (Exception ex)
        {
            error = OnFailed(ErrorMapping.ToUrlError(ex, this));
        }
        finally
        {
            _timeouts?.Dispose();
        }

        await CompleteAsync(error, _metrics?.SinceTaskStart() ?? time.GetElapsedTime(started)).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the request and resource timeouts, paused when the task is not running. Under the state lock: a Suspend
    /// racing this either comes first (the clock starts paused) or after (it pauses the started clock).
    /// </summary>
    private void StartTimeouts(TimeSpan idle)
    {
        var timeouts = new TaskTimeouts(Session.Timeouts, idle, Session.Settings.TimeoutIntervalForResource, this);
        lock (StateLock)
        {
            _timeouts = timeouts;
            timeouts.Start(paused: _state != TaskState.Running);
        }
    }

    internal void OnTimedOut(TimeoutKind kind, TaskTimeouts timeouts)
    {
        var url = CurrentRequest?.Url;
        var message = kind == TimeoutKind.Resource
            ? $"The task for {UrlText.Safe(url)} took longer than its resource timeout ({timeouts.Resource})."
            : $"The request to {UrlText.Safe(url)} timed out: no data arrived for {timeouts.Idle}.";
        Stop(new UrlError(UrlErrorCode.TimedOut, message, url));
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
    /// Sends the request through the session's exchange stages (redirects, challenges, cookies, retries) until a final
    /// response, which becomes <see cref="Response"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected async ValueTask<HttpResponseMessage> SendFollowingRedirectsAsync(UrlRequest request)
    {
        var exchange = _exchange ??= new ExchangeContext(this, TaskIdentifier, _transport!.Invoker, OriginalRequest?.Url ?? request.Url, Cancellation.Token);
        exchange.Begin(request);
        var message = await Session.Exchange.SendAsync(exchange).ConfigureAwait(false);
        SetResponse(exchange.Response!);
        return message;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CompleteAsync(UrlError? error, TimeSpan elapsed)
    {
        error = await SettleDelegateEventsAsync(error).ConfigureAwait(false);
        if (!TryMarkCompleted(error))
        {
            return;
        }

        // A task stopped before its pipeline ran still reports its completion to the session's observers.
        (_observer ?? Session.Observer)?.TaskCompleted(this, error, elapsed);

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
