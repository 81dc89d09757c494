namespace UrlSessions;

/// <summary>
/// The engine of one task, whatever its kind: its state machine, counters, timeouts and the run from first request to
/// completion. The public <see cref="SessionTask"/> is a handle over it; the task kind supplies the body handling
/// (<see cref="SessionTask.ReceiveBodyAsync"/>) and a few hooks.
/// </summary>
/// <remarks>
/// Threading: every state change goes through <see cref="Move"/> under the runner's one lock; public task methods may
/// be called from any thread; delegate events run only on the session's dispatcher. The runner is its task's
/// <see cref="ExchangeContext"/> and the stages' <see cref="IExchangeHost"/>: one object per task, not three.
/// </remarks>
internal sealed partial class TaskRunner : ExchangeContext
{
    // Completion's source is made only when someone asks for Completion (the async forms never do): null until then,
    // Finished once the task completed before anyone asked.
    private static readonly object Finished = new();
    private object? _completion;
    private ResumeGate _gate = new();
    private TaskState _state = TaskState.Created;
    private UrlError? _error;
    private UrlError? _stopReason;
    private UrlRequest? _currentRequest;
    private UrlResponse? _response;
    private long _countOfBytesSent;
    private long _countOfBytesReceived;
    private long _countOfBytesExpectedToSend;
    private long _countOfBytesExpectedToReceive = -1;

    public TaskRunner(SessionTask task, UrlRequest? request)
    {
        Task = task;
        _currentRequest = request;
        _countOfBytesExpectedToSend = request?.Body is null ? 0 : request.Body.Length ?? -1;
    }

    /// <summary>The public handle: what delegate events name.</summary>
    public SessionTask Task { get; }

    public UrlSession Session => Task.Session;

    public override IExchangeHost Host => this;

    public override long TaskIdentifier => Task.TaskIdentifier;

    public override CancellationToken Cancellation => CancellationSource.Token;

    public CancellationTokenSource CancellationSource { get; } = new();

    /// <summary>Closed while the task is suspended; every body read and write passes it. Used only through this ref.</summary>
    public ref ResumeGate Gate => ref _gate;

    public Task Completion
    {
        get
        {
            while (true)
            {
                var current = Volatile.Read(ref _completion);
                if (current is TaskCompletionSource source)
                {
                    return source.Task;
                }

                if (ReferenceEquals(current, Finished))
                {
                    return System.Threading.Tasks.Task.CompletedTask;
                }

                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _completion, created, null) is null)
                {
                    return created.Task;
                }
            }
        }
    }

    // A monitor on the runner itself: it is internal and never handed to code that could lock it, and a
    // System.Threading.Lock would be one more allocation for every task (the lock is uncontended almost always).
    private object StateLock => this;

    public SessionTaskState PublicState => TaskTransitions.ToPublic(State);

    public TaskState State
    {
        get
        {
            lock (StateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>Whether <c>GetAllTasksAsync</c> lists the task: not completed, and not handed over to another task.</summary>
    public bool IsListed
    {
        get
        {
            lock (StateLock)
            {
                return _state != TaskState.Completed && !Task.IsHandedOver;
            }
        }
    }

    public UrlError? Error
    {
        get
        {
            lock (StateLock)
            {
                return _error;
            }
        }
    }

    /// <summary>The reason the task was stopped, if it was.</summary>
    public UrlError? StopReason
    {
        get
        {
            lock (StateLock)
            {
                return _stopReason;
            }
        }
    }

    public UrlRequest? CurrentRequest => Volatile.Read(ref _currentRequest);

    public UrlResponse? Response => Volatile.Read(ref _response);

    public long CountOfBytesSent => Interlocked.Read(ref _countOfBytesSent);

    public long CountOfBytesReceived => Interlocked.Read(ref _countOfBytesReceived);

    public long CountOfBytesExpectedToSend => Interlocked.Read(ref _countOfBytesExpectedToSend);

    public long CountOfBytesExpectedToReceive => Interlocked.Read(ref _countOfBytesExpectedToReceive);

    public void Resume()
    {
        if (ResumeCore())
        {
            Start();
        }
    }

    /// <summary>
    /// For the async forms, whose caller is already asynchronous: like <see cref="Resume"/>, but a task started here
    /// runs its first steps on the calling thread, as <see cref="HttpClient"/> does, instead of queueing them to the
    /// thread pool. When this call did not start the task (it was cancelled first) the result is <see cref="Completion"/>.
    /// </summary>
    public ValueTask ResumeInlineAsync() => ResumeCore() ? RunAsync() : new ValueTask(Completion);

    public void Suspend() => Move(TaskMove.Suspend);

    public void MarkAdoptedRunning() => Move(TaskMove.Adopt);

    /// <summary>
    /// Stops the task for a reason (cancellation, timeout, invalidation, a delegate that failed it): the first reason
    /// wins and becomes the task's error. A task never started starts now, so its completion events still arrive.
    /// </summary>
    /// <returns>False when the task had already completed or stopped, so this reason was dropped.</returns>
    public bool Stop(UrlError? reason, TaskMove move = TaskMove.Stop) => (Move(move, reason) & TaskEffects.Cancel) != 0;

    public void SetCurrentRequest(UrlRequest request) => Volatile.Write(ref _currentRequest, request);

    public void SetResponse(UrlResponse response)
    {
        Volatile.Write(ref _response, response);
        Interlocked.Exchange(ref _countOfBytesExpectedToReceive, response.ExpectedContentLength);
    }

    public void SetExpectedToReceive(long count) => Interlocked.Exchange(ref _countOfBytesExpectedToReceive, count);

    public void AddBytesReceived(long count) => Interlocked.Add(ref _countOfBytesReceived, count);

    /// <summary>Counts bytes a stream task wrote (no request body, no body-sent events).</summary>
    public void AddBytesSent(long count) => Interlocked.Add(ref _countOfBytesSent, count);

    /// <summary>The last step of a task: <see cref="Completion"/> completes (or will be born completed).</summary>
    private void SignalCompletion() => (Interlocked.Exchange(ref _completion, Finished) as TaskCompletionSource)?.TrySetResult();

    private bool ResumeCore() => (Move(TaskMove.Resume) & TaskEffects.Start) != 0;

    /// <summary>
    /// Moves the state to completed exactly once; false when it already was. A task that a stop reached (Canceling)
    /// completes with the stop's reason even when its run came back without an error: a <see cref="SessionTask.Cancel"/>
    /// in the last data event, or one racing the body's end, still completes the task as cancelled (as URLSession).
    /// </summary>
    private bool TryMarkCompleted(ref UrlError? error)
    {
        lock (StateLock)
        {
            if (!TaskTransitions.TryMove(_state, TaskMove.Complete, out var to, out _))
            {
                return false;
            }

            if (error is null && _state == TaskState.Canceling)
            {
                error = _stopReason;
            }

            _state = to;
            _error = error;
            return true;
        }
    }

    /// <summary>The stop's reason when a stop reached the task (it is Canceling), else null.</summary>
    private UrlError? ReasonIfStopped()
    {
        lock (StateLock)
        {
            return _state == TaskState.Canceling ? _stopReason : null;
        }
    }

    /// <summary>
    /// Applies a move of the state machine (<see cref="TaskTransitions"/>) under the lock; an illegal move changes
    /// nothing. Gate and timeouts change under the same lock, so a Suspend racing a Resume, or the timeouts starting,
    /// always leaves them matching the state. Cancelling the token and starting the run happen after it: both may run
    /// arbitrary continuations.
    /// </summary>
    private TaskEffects Move(TaskMove move, UrlError? reason = null)
    {
        TaskEffects effects;
        lock (StateLock)
        {
            if (!TaskTransitions.TryMove(_state, move, out var to, out effects))
            {
                return TaskEffects.None;
            }

            _state = to;
            if ((effects & TaskEffects.Cancel) != 0)
            {
                _stopReason = reason ?? new UrlError(UrlErrorCode.Cancelled, $"The task for {UrlText.Safe(CurrentRequest?.Url)} was cancelled.", CurrentRequest?.Url);
            }

            if ((effects & TaskEffects.CloseGate) != 0)
            {
                Gate.Close();
            }

            if ((effects & TaskEffects.PauseTimeouts) != 0)
            {
                _timeouts?.Pause();
            }

            if ((effects & TaskEffects.OpenGate) != 0 && (effects & TaskEffects.Cancel) == 0)
            {
                Gate.OpenGate();
            }

            if ((effects & TaskEffects.ContinueTimeouts) != 0)
            {
                _timeouts?.Continue();
            }
        }

        if ((effects & TaskEffects.Cancel) != 0)
        {
            CancellationSource.Cancel();
            Gate.OpenGate();
        }

        if (move != TaskMove.Resume && (effects & TaskEffects.Start) != 0)
        {
            // Resume's caller decides how to run (thread pool, or inline for the async forms).
            Start();
        }

        return effects;
    }

    private void Start()
    {
        // Straight to the thread pool (the execution context flows, as with Task.Run), without Task.Run's delegate,
        // Task<Task> and unwrap promise: RunAsync catches everything and completes the task itself.
        ThreadPool.QueueUserWorkItem(static runner => _ = runner.RunDetachedAsync(), this, preferLocal: false);
    }

    // Awaiting the pooled run returns its state-machine box for the next task; this small box is all a task started
    // from the thread pool allocates for it.
    private async Task RunDetachedAsync() => await RunAsync().ConfigureAwait(false);
}
