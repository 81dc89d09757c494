namespace UrlSessions;

/// <summary>
/// One transfer in a session. Tasks start suspended: call <see cref="Resume"/>. Public members may be used
/// from any thread; the task's delegate events arrive on the session's delegate queue.
/// </summary>
/// <remarks>
/// States: Suspended ⇄ Running → Completed, and Suspended|Running → Canceling → Completed. One lock guards
/// the state; completion happens exactly once, whichever of success, failure, cancellation or timeout wins.
/// </remarks>
public abstract partial class SessionTask
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskState _state = TaskState.Created;
    private UrlError? _error;
    private UrlError? _stopReason;
    private UrlRequest? _currentRequest;
    private UrlResponse? _response;
    private long _countOfBytesSent;
    private long _countOfBytesReceived;
    private long _countOfBytesExpectedToSend;
    private long _countOfBytesExpectedToReceive = -1;
    private float _priority = 0.5f;

    // A monitor on an object the task owns anyway and never exposes: a System.Threading.Lock would be one more
    // allocation for every task, and the lock is uncontended almost always.
    private object StateLock => _completion;

    private protected SessionTask(UrlSession session, long taskIdentifier, UrlRequest? request)
    {
        Session = session;
        TaskIdentifier = taskIdentifier;
        OriginalRequest = request;
        _currentRequest = request;
        _countOfBytesExpectedToSend = request?.Body is null ? 0 : request.Body.Length ?? -1;
    }

    /// <summary>The task's number, unique within its session.</summary>
    public long TaskIdentifier { get; }

    /// <summary>The request the task was created with.</summary>
    public UrlRequest? OriginalRequest { get; }

    /// <summary>The request being sent now (it changes with redirects).</summary>
    public UrlRequest? CurrentRequest => Volatile.Read(ref _currentRequest);

    /// <summary>The final response, once it arrived.</summary>
    public UrlResponse? Response => Volatile.Read(ref _response);

    /// <summary>Where the task is in its life.</summary>
    public SessionTaskState State
    {
        get
        {
            lock (StateLock)
            {
                return TaskTransitions.ToPublic(_state);
            }
        }
    }

    /// <summary>The engine's view of the state (whether the task ever started, in particular).</summary>
    internal TaskState EngineState
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
    internal bool IsListed
    {
        get
        {
            lock (StateLock)
            {
                return _state != TaskState.Completed && !HandedOver;
            }
        }
    }

    /// <summary>Why the task failed, once it completed; null on success or while running.</summary>
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

    /// <summary>Body bytes sent so far.</summary>
    public long CountOfBytesSent => Interlocked.Read(ref _countOfBytesSent);

    /// <summary>Body bytes received so far (after content decoding).</summary>
    public long CountOfBytesReceived => Interlocked.Read(ref _countOfBytesReceived);

    /// <summary>The request body's length, 0 without a body, or -1 when unknown.</summary>
    public long CountOfBytesExpectedToSend => Interlocked.Read(ref _countOfBytesExpectedToSend);

    /// <summary>The response body's expected length, or -1 when unknown.</summary>
    public long CountOfBytesExpectedToReceive => Interlocked.Read(ref _countOfBytesExpectedToReceive);

    /// <summary>
    /// Progress of the task's main transfer: for upload tasks the request body (bytes sent out of bytes to send),
    /// for the others the response body (bytes received out of bytes expected).
    /// </summary>
    public TransferProgress Progress => MeasuresUpload
        ? new(CountOfBytesSent, CountOfBytesExpectedToSend)
        : new(CountOfBytesReceived, CountOfBytesExpectedToReceive);

    /// <summary>Whether <see cref="Progress"/> follows the request body (upload tasks) rather than the response body.</summary>
    private protected virtual bool MeasuresUpload => false;

    /// <summary>Your own description of the task, for logs and UI.</summary>
    public string? TaskDescription { get; set; }

    /// <summary>A hint from 0 (lowest) to 1 (highest) of the task's importance; 0.5 by default.</summary>
    public float Priority
    {
        get => Volatile.Read(ref _priority);
        set
        {
            if (!(value is >= 0f and <= 1f))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Priority must be between 0 and 1.");
            }

            Volatile.Write(ref _priority, value);
        }
    }

    /// <summary>The task sends nothing before this time; set it before the first <see cref="Resume"/>.</summary>
    public DateTimeOffset? EarliestBeginDate { get; set; }

    /// <summary>This task's own delegate: for each event it implements, it is called instead of the session's.</summary>
    public ISessionTaskDelegate? Delegate { get; set; }

    /// <summary>Completes when the task completed (after its last delegate event); never faults: see <see cref="Error"/>.</summary>
    public Task Completion => _completion.Task;

    internal UrlSession Session { get; }

    internal CancellationTokenSource Cancellation { get; } = new();

    internal ResumeGate Gate { get; } = new();

    /// <summary>Starts the task, or continues it after <see cref="Suspend"/>. A cancelled or completed task stays so.</summary>
    public void Resume()
    {
        if (ResumeCore())
        {
            Start();
        }
    }

    /// <summary>
    /// For the async forms, whose caller is already asynchronous: like <see cref="Resume"/>, but a task started
    /// here runs its first steps (validation, building and writing the request) on the calling thread, as
    /// <see cref="HttpClient"/> does, instead of queueing them to the thread pool. The result completes right
    /// after <see cref="Completion"/>; awaiting the pipeline itself continues on the thread that completed the task,
    /// saving the thread-pool trip that awaiting <see cref="Completion"/> (which always continues asynchronously)
    /// costs. When this call did not start the task (it was cancelled first) the result is <see cref="Completion"/>.
    /// </summary>
    internal ValueTask ResumeInlineAsync() => ResumeCore() ? RunAsync() : new ValueTask(Completion);

    /// <summary>Moves a suspended task to running; true when the task was never started and so must be run now.</summary>
    private bool ResumeCore() => (Move(TaskMove.Resume) & TaskEffects.Start) != 0;

    /// <summary>Pauses the transfer: no more bytes are read and no data events are sent until <see cref="Resume"/>.</summary>
    public void Suspend() => Move(TaskMove.Suspend);

    /// <summary>Cancels the task; it completes with <see cref="UrlErrorCode.Cancelled"/> exactly once.</summary>
    public void Cancel() => Stop(null);

    /// <summary>Marks a task that takes over another's response as started and running, before it is registered.</summary>
    internal void MarkAdoptedRunning() => Move(TaskMove.Adopt);

    /// <summary>Cancels the task if it is suspended, never resumed or paused (session disposal: nothing else would end it).</summary>
    internal void CancelIfSuspended() => Stop(null, TaskMove.StopIfSuspended);

    /// <summary>Moves the state to completed exactly once; false when it already was.</summary>
    internal bool TryMarkCompleted(UrlError? error)
    {
        lock (StateLock)
        {
            if (!TaskTransitions.TryMove(_state, TaskMove.Complete, out var to, out _))
            {
                return false;
            }

            _state = to;
            _error = error;
            return true;
        }
    }

    internal void SignalCompletion() => _completion.TrySetResult();

    /// <summary>
    /// Stops the task for a reason (cancellation, timeout, invalidation, a delegate that failed it): the first reason
    /// wins and becomes the task's error. A task never started starts now, so its completion events still arrive.
    /// </summary>
    /// <returns>False when the task had already completed or stopped, so this reason was dropped.</returns>
    internal bool Stop(UrlError? reason, TaskMove move = TaskMove.Stop) => (Move(move, reason) & TaskEffects.Cancel) != 0;

    /// <summary>
    /// Applies a move of the state machine (<see cref="TaskTransitions"/>) under the task's lock; an illegal move changes
    /// nothing. Gate and timeouts change under the same lock, so a Suspend racing a Resume, or the timeouts starting,
    /// always leaves them matching the state. Cancelling the token and starting the pipeline run outside it: both may
    /// run arbitrary continuations.
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
                OnSuspended();
            }

            if ((effects & TaskEffects.OpenGate) != 0 && (effects & TaskEffects.Cancel) == 0)
            {
                Gate.OpenGate();
            }

            if ((effects & TaskEffects.ContinueTimeouts) != 0)
            {
                OnResumed();
            }
        }

        if ((effects & TaskEffects.Cancel) != 0)
        {
            Cancellation.Cancel();
            Gate.OpenGate();
        }

        if (move != TaskMove.Resume && (effects & TaskEffects.Start) != 0)
        {
            // Resume's caller decides how to run the pipeline (thread pool, or inline for the async forms).
            Start();
        }

        return effects;
    }

    /// <summary>The reason the task was stopped, if it was.</summary>
    internal UrlError? StopReason
    {
        get
        {
            lock (StateLock)
            {
                return _stopReason;
            }
        }
    }

    internal void SetCurrentRequest(UrlRequest request) => Volatile.Write(ref _currentRequest, request);

    internal void SetResponse(UrlResponse response)
    {
        Volatile.Write(ref _response, response);
        Interlocked.Exchange(ref _countOfBytesExpectedToReceive, response.ExpectedContentLength);
    }

    internal void SetExpectedToReceive(long count) => Interlocked.Exchange(ref _countOfBytesExpectedToReceive, count);

    internal void AddBytesReceived(long count) => Interlocked.Add(ref _countOfBytesReceived, count);

    internal long AddBytesSent(long count) => Interlocked.Add(ref _countOfBytesSent, count);

    internal void ResetBytesSent() => Interlocked.Exchange(ref _countOfBytesSent, 0);

    internal void SetExpectedToSend(long count) => Interlocked.Exchange(ref _countOfBytesExpectedToSend, count);

    private void Start()
    {
        // Straight to the thread pool (the execution context flows, as with Task.Run), without Task.Run's
        // delegate, Task<Task> and unwrap promise: RunAsync catches everything and completes the task itself.
        ThreadPool.QueueUserWorkItem(static task => _ = task.RunDetachedAsync(), this, preferLocal: false);
    }

    // Awaiting the pooled pipeline returns its state-machine box for the next task; this small box is all a task
    // started from the thread pool allocates for it.
    private async Task RunDetachedAsync() => await RunAsync().ConfigureAwait(false);
}
