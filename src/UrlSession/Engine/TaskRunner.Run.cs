using System.Runtime.CompilerServices;

namespace UrlSessions;

// The run every kind of task goes through: validate → wait for the begin date → exchange (redirects, challenges,
// cookies, retries) → the task kind's body handling → complete exactly once. The private steps return ValueTask with
// pooled builders: each is awaited exactly once, and a task's sends then reuse state-machine boxes.
internal sealed partial class TaskRunner
{
    private TaskTimeouts? _timeouts;
    private HttpTransport.Generation? _transport;
    private TaskMetricsRecorder? _metrics;
    private ITaskObserver? _observer;

    // Pooled: it is always awaited (by the async forms through ResumeInlineAsync, else by RunDetachedAsync), so its
    // large box goes back to the pool and the next task reuses it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync()
    {
        var time = Session.Services.TimeProvider;
        var started = time.GetTimestamp();
        _metrics = DelegateFor<ISessionTaskDelegate>(DelegateMember.DidFinishCollectingMetrics) is null ? null : new TaskMetricsRecorder(time);
        _observer = _metrics is null ? Session.Observer : TaskObservers.Combine(Session.Observer, _metrics);
        UrlError? error = null;
        try
        {
            Cancellation.ThrowIfCancellationRequested();
            _transport = Session.Transport.Acquire();
            Invoker = _transport.Invoker;
            var request = Task.PrepareFirstRequest();
            OriginalUrl = Task.OriginalRequest?.Url ?? request.Url;
            _observer?.TaskStarted(Task, request);
            request = await WaitForBeginDateAsync(request).ConfigureAwait(false);

            StartTimeouts(request.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest);

            using var message = await SendAsync(request).ConfigureAwait(false);
            await Task.ReceiveBody(message, (HttpUrlResponse)Response!).ConfigureAwait(false);
            _observer?.ResponseBodyEnded(Task);
        }
        catch (Exception ex)
        {
            error = Task.Failed(ErrorMapping.ToUrlError(ex, Task));
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
    /// Runs this task from a response another task already received (a data task that became a download or stream
    /// task): the body stage and completion only, with this task's own cancellation and timeouts.
    /// </summary>
    /// <remarks>
    /// The task was marked running when it was created (<see cref="MarkAdoptedRunning"/>); it may have been suspended
    /// since. It reports the metrics <paramref name="handedOverBy"/> collected (that task reports none): the
    /// transactions that led to this response are this task's history too.
    /// </remarks>
    public async Task RunAdoptedAsync(HttpResponseMessage message, HttpUrlResponse response, UrlRequest request, TaskRunner handedOverBy)
    {
        var time = Session.Services.TimeProvider;
        var started = time.GetTimestamp();
        _metrics = handedOverBy._metrics;
        _observer = handedOverBy._observer;
        SetCurrentRequest(request);
        SetResponse(response);
        UrlError? error = null;
        StartTimeouts(Task.AdoptedIdleTimeoutFor(request));
        try
        {
            Cancellation.ThrowIfCancellationRequested();
            await Task.ReceiveBody(message, response).ConfigureAwait(false);
            _observer?.ResponseBodyEnded(Task);
        }
        catch (Exception ex)
        {
            error = Task.Failed(ErrorMapping.ToUrlError(ex, Task));
        }
        finally
        {
            _timeouts?.Dispose();
        }

        await CompleteAsync(error, _metrics?.SinceTaskStart() ?? time.GetElapsedTime(started)).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the request through the session's exchange stages until a final response, which becomes
    /// <see cref="Response"/>. A download that must start over sends again through here.
    /// </summary>
    /// <remarks>
    /// No state machine of its own (the final response is taken in <see cref="OnFinalResponse"/>): every awaiting frame
    /// of a request is a box that a run hopping threads may not find in the pool.
    /// </remarks>
    public ValueTask<HttpResponseMessage> SendAsync(UrlRequest request)
    {
        Begin(request);
        return Session.Exchange.SendAsync(this);
    }

    protected override void OnFinalResponse(HttpUrlResponse response) => SetResponse(response);

    /// <summary>The task stops timing itself (its response went to another task, which has its own timeouts).</summary>
    public void StopTimeouts() => _timeouts?.Dispose();

    public void OnTimedOut(TimeoutKind kind, TaskTimeouts timeouts)
    {
        var url = CurrentRequest?.Url;
        var message = kind == TimeoutKind.Resource
            ? $"The task for {UrlText.Safe(url)} took longer than its resource timeout ({timeouts.Resource})."
            : $"The request to {UrlText.Safe(url)} timed out: no data arrived for {timeouts.Idle}.";
        Stop(new UrlError(UrlErrorCode.TimedOut, message, url));
    }

    /// <summary>
    /// Starts the request and resource timeouts, paused when the task is not running. Under the state lock: a Suspend
    /// racing this either comes first (the clock starts paused) or after (it pauses the started clock).
    /// </summary>
    private void StartTimeouts(TimeSpan idle)
    {
        var timeouts = new TaskTimeouts(Session.Timeouts, idle, Session.Settings.TimeoutIntervalForResource, Task);
        lock (StateLock)
        {
            _timeouts = timeouts;
            timeouts.Start(paused: _state != TaskState.Running);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<UrlRequest> WaitForBeginDateAsync(UrlRequest request)
    {
        if (Task.EarliestBeginDate is not { } begin)
        {
            return request;
        }

        var time = Session.Services.TimeProvider;
        var wait = begin - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await System.Threading.Tasks.Task.Delay(wait, time, Cancellation).ConfigureAwait(false);
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
                Stop(null);
                Cancellation.ThrowIfCancellationRequested();
                return request;
            default:
                return request;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CompleteAsync(UrlError? error, TimeSpan elapsed)
    {
        error = await SettleDelegateEventsAsync(error).ConfigureAwait(false);
        if (error is null && ReasonIfStopped() is { } stopped)
        {
            // Stopped after the run's last check of its token: the task kind still cleans up as for any failure.
            error = Task.Failed(stopped);
        }

        if (!TryMarkCompleted(ref error))
        {
            return;
        }

        // A task stopped before its run started still reports its completion to the session's observers.
        (_observer ?? Session.Observer)?.TaskCompleted(Task, error, elapsed);

        if (Task.IsHandedOver)
        {
            // A data task that became a download reports nothing more: the download task carries on and completes.
            Session.Registry.Remove(Task);
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
        var delivered = Task.PostCompletion(error);
        if (delivered.IsCompleted)
        {
            delivered = Session.Dispatcher.Drained;
        }

        if (!delivered.IsCompleted)
        {
            await delivered.ConfigureAwait(false);
        }

        Task.Completed(error);
        Session.Registry.Remove(Task);
        SignalCompletion();
    }

    // Delegate calls live in their own small methods: a lambda capturing a parameter or local of the (async) caller
    // makes the compiler allocate its closure at the caller's entry on every request, even when no delegate is called.
    private Task<DelayedRequestResult> AskWillBeginDelayedRequest(ISessionTaskDelegate target, UrlRequest request) =>
        Session.Dispatcher.Ask(nameof(ISessionTaskDelegate.WillBeginDelayedRequestAsync), () => target.WillBeginDelayedRequestAsync(Session, Task, request));

    private Task PostDidFinishCollectingMetrics(ISessionTaskDelegate target, TaskMetrics metrics) =>
        Session.Dispatcher.Post(nameof(ISessionTaskDelegate.DidFinishCollectingMetrics), () => target.DidFinishCollectingMetrics(Session, Task, metrics));

    private Task PostDidComplete(ISessionTaskDelegate target, UrlError? error) =>
        Session.Dispatcher.Post(nameof(ISessionTaskDelegate.DidComplete), static e => e.Target.DidComplete(e.Task.Session, e.Task, e.Error), (Target: target, Task, Error: error));
}
