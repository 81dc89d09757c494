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
    private float _priority = 0.5f;

    private protected SessionTask(UrlSession session, long taskIdentifier, UrlRequest? request)
    {
        Session = session;
        TaskIdentifier = taskIdentifier;
        OriginalRequest = request;
        Runner = new TaskRunner(this, request);
    }

    /// <summary>The task's number, unique within its session.</summary>
    public long TaskIdentifier { get; }

    /// <summary>The request the task was created with.</summary>
    public UrlRequest? OriginalRequest { get; }

    /// <summary>The request being sent now (it changes with redirects).</summary>
    public UrlRequest? CurrentRequest => Runner.CurrentRequest;

    /// <summary>The final response, once it arrived.</summary>
    public UrlResponse? Response => Runner.Response;

    /// <summary>Where the task is in its life.</summary>
    public SessionTaskState State => Runner.PublicState;

    /// <summary>Why the task failed, once it completed; null on success or while running.</summary>
    public UrlError? Error => Runner.Error;

    /// <summary>Body bytes sent so far.</summary>
    public long CountOfBytesSent => Runner.CountOfBytesSent;

    /// <summary>Body bytes received so far (after content decoding).</summary>
    public long CountOfBytesReceived => Runner.CountOfBytesReceived;

    /// <summary>The request body's length, 0 without a body, or -1 when unknown.</summary>
    public long CountOfBytesExpectedToSend => Runner.CountOfBytesExpectedToSend;

    /// <summary>The response body's expected length, or -1 when unknown.</summary>
    public long CountOfBytesExpectedToReceive => Runner.CountOfBytesExpectedToReceive;

    /// <summary>
    /// Progress of the task's main transfer: for upload tasks the request body (bytes sent out of bytes to send),
    /// for the others the response body (bytes received out of bytes expected).
    /// </summary>
    public TransferProgress Progress => MeasuresUpload
        ? new(CountOfBytesSent, CountOfBytesExpectedToSend)
        : new(CountOfBytesReceived, CountOfBytesExpectedToReceive);

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
    public Task Completion => Runner.Completion;

    internal UrlSession Session { get; }

    /// <summary>The engine behind this handle: state, counters, timeouts and the run.</summary>
    internal TaskRunner Runner { get; }

    /// <summary>Starts the task, or continues it after <see cref="Suspend"/>. A cancelled or completed task stays so.</summary>
    public void Resume() => Runner.Resume();

    /// <summary>Pauses the transfer: no more bytes are read and no data events are sent until <see cref="Resume"/>.</summary>
    public void Suspend() => Runner.Suspend();

    /// <summary>Cancels the task; it completes with <see cref="UrlErrorCode.Cancelled"/> exactly once.</summary>
    public void Cancel() => Runner.Stop(null);
}
