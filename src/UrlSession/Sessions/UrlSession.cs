namespace UrlSessions;

/// <summary>
/// A session: settings fixed when it is created, one connection pool, a serial delegate queue and the tasks created
/// in it. Create tasks with <c>Create…Task</c> (they start suspended: call <see cref="SessionTask.Resume"/>)
/// or await the async forms such as <see cref="DataAsync"/>.
/// </summary>
/// <remarks>
/// A session holds connections until it is invalidated: call <see cref="FinishTasksAndInvalidate"/>,
/// <see cref="InvalidateAndCancel"/> or <c>await using</c> it. <see cref="Shared"/> is never invalidated.
/// </remarks>
public sealed partial class UrlSession : IAsyncDisposable
{
    private const int Valid = 0;
    private const int Invalidating = 1;

    private static readonly Lazy<UrlSession> SharedSession = new(() => new UrlSession(SessionConfiguration.Default, null, (TaskScheduler?)null, isShared: true));

    private readonly TaskCompletionSource _invalidated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _isShared;
    private readonly SessionConfiguration _configuration;
    private long _lastTaskIdentifier;
    private int _state;

    /// <summary>Creates a session.</summary>
    /// <param name="configuration">The settings; the session keeps a deep copy, so later changes to this object do not reach it.</param>
    /// <param name="sessionDelegate">Receives session and task events; null for completion handlers and async forms only.</param>
    /// <param name="delegateQueue">Where delegate events and completion handlers run, one at a time in order; null: a private serial queue.</param>
    public UrlSession(SessionConfiguration configuration, ISessionDelegate? sessionDelegate = null, TaskScheduler? delegateQueue = null)
        : this(configuration, sessionDelegate, delegateQueue, isShared: false)
    {
    }

    /// <summary>Creates a session whose delegate events run on a synchronization context (a UI thread, say), one at a time in order.</summary>
    /// <param name="configuration">The settings; the session keeps a deep copy.</param>
    /// <param name="sessionDelegate">Receives session and task events.</param>
    /// <param name="delegateContext">Where delegate events and completion handlers run.</param>
    public UrlSession(SessionConfiguration configuration, ISessionDelegate? sessionDelegate, SynchronizationContext delegateContext)
        : this(configuration, sessionDelegate, new SynchronizationContextScheduler(delegateContext ?? throw new ArgumentNullException(nameof(delegateContext))), isShared: false)
    {
    }

    private UrlSession(SessionConfiguration configuration, ISessionDelegate? sessionDelegate, TaskScheduler? delegateQueue, bool isShared)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _isShared = isShared;
        // Nothing the caller does to its object later reaches the session; the copy is kept only to hand out copies of it.
        _configuration = configuration.Clone();
        Settings = SessionSettings.From(_configuration);
        Services = SessionServices.From(_configuration);
        Delegate = sessionDelegate;
        DelegateQueue = delegateQueue ?? new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        Dispatcher = new DelegateDispatcher(DelegateQueue, Services.Logger);
        Transport = new HttpTransport(this, Settings, Services);
        Exchange = ExchangePipeline.Compose(Settings, Services);
        Observer = Services.LoggerFactory is null ? null : new LoggingTaskObserver(Services.Logger);
        Timeouts = new TimeoutScheduler(Services.TimeProvider);
        Services.OwnedEphemeralStores?.Retain();
    }

    /// <summary>The process-wide session for simple requests: default configuration, no delegate, never invalidated.</summary>
    public static UrlSession Shared => SharedSession.Value;

    /// <summary>A copy of the session's configuration; changing it does not change the session.</summary>
    public SessionConfiguration Configuration => _configuration.Clone();

    /// <summary>The session's delegate.</summary>
    public ISessionDelegate? Delegate { get; }

    /// <summary>Where delegate events run, one at a time in order.</summary>
    public TaskScheduler DelegateQueue { get; }

    /// <summary>Your own description of the session, for logs and debugging.</summary>
    public string? SessionDescription { get; set; }

    /// <summary>The values the session runs with, checked and fixed when it was created.</summary>
    internal SessionSettings Settings { get; }

    /// <summary>The logger, clock, handler factory, proxy and stores the session shares by reference.</summary>
    internal SessionServices Services { get; }

    internal DelegateDispatcher Dispatcher { get; }

    internal TaskRegistry Registry { get; } = new();

    internal HttpTransport Transport { get; }

    /// <summary>The first of the session's exchange stages, composed once (see <see cref="ExchangePipeline"/>).</summary>
    internal ExchangeStage Exchange { get; }

    /// <summary>The one timer behind every task's request and resource timeouts.</summary>
    internal TimeoutScheduler Timeouts { get; }

    /// <summary>What observes every task of the session (logging; later metrics and tracing); null when nothing does.</summary>
    internal ITaskObserver? Observer { get; private set; }

    /// <summary>Adds an observer of every task created from now on (telemetry, tests).</summary>
    internal void AddObserver(ITaskObserver observer) => Observer = TaskObservers.Combine(Observer, observer);

    /// <summary>The tasks that have not completed yet, in creation order.</summary>
    public Task<IReadOnlyList<SessionTask>> GetAllTasksAsync() => Task.FromResult(Registry.Visible());

    /// <summary>
    /// Refuses new tasks, lets the existing ones finish, then invalidates the session:
    /// <see cref="ISessionDelegate.DidBecomeInvalid"/> is sent once and connections close. Has no effect on <see cref="Shared"/>.
    /// </summary>
    public void FinishTasksAndInvalidate()
    {
        if (!_isShared && Interlocked.CompareExchange(ref _state, Invalidating, Valid) == Valid)
        {
            Registry.WhenEmpty(CompleteInvalidation);
        }
    }

    /// <summary>Refuses new tasks, cancels every task, then invalidates the session. Has no effect on <see cref="Shared"/>.</summary>
    public void InvalidateAndCancel()
    {
        if (_isShared)
        {
            return;
        }

        var first = Interlocked.CompareExchange(ref _state, Invalidating, Valid) == Valid;
        foreach (var task in Registry.CloseAndCancelAll())
        {
            task.Cancel();
        }

        if (first)
        {
            Registry.WhenEmpty(CompleteInvalidation);
        }
    }

    /// <summary>
    /// Finishes running tasks and invalidates the session, then completes once <see cref="ISessionDelegate.DidBecomeInvalid"/>
    /// was delivered. Suspended tasks (never resumed, or paused with <see cref="SessionTask.Suspend"/>) are cancelled,
    /// since nothing else would end them.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_isShared)
        {
            return;
        }

        FinishTasksAndInvalidate();
        foreach (var task in Registry.Snapshot())
        {
            task.CancelIfSuspended();
        }

        await _invalidated.Task.ConfigureAwait(false);
    }

    /// <summary>Empties the configuration's cookie, cache and credential stores; later tasks use new connections.</summary>
    public Task ResetAsync()
    {
        Services.HttpCookieStorage?.RemoveAll();
        Services.UrlCache?.RemoveAllCachedResponses();
        Services.UrlCredentialStorage?.RemoveAll();
        Transport.Retire();
        return Task.CompletedTask;
    }

    /// <summary>Closes idle connections (the stores live in memory, so there is nothing to write yet); later tasks use new connections.</summary>
    public Task FlushAsync()
    {
        // The stores of this version live in memory, so closing connections is all there is to flush.
        Transport.Retire();
        return Task.CompletedTask;
    }

    /// <summary>Names the session by its description or kind.</summary>
    public override string ToString() => SessionDescription ?? $"UrlSession({Settings.Kind}{(Settings.Identifier is null ? string.Empty : " " + Settings.Identifier)})";

    private void CompleteInvalidation()
    {
        Transport.Dispose();
        Timeouts.Dispose();
        // Ephemeral data lives only as long as its sessions (URLSession purges it on invalidation); a store the caller
        // set (CookieStorage.Shared, one shared with other sessions) is not the session's to empty.
        Services.OwnedEphemeralStores?.Release(Services);

        Log.SessionInvalidated(Services.Logger, ToString());
        var delivered = Delegate is { } sessionDelegate && DelegateInspector.Implements(sessionDelegate, DelegateMember.SessionDidBecomeInvalid)
            ? Dispatcher.Post(nameof(ISessionDelegate.DidBecomeInvalid), () => sessionDelegate.DidBecomeInvalid(this, null))
            : Task.CompletedTask;
        delivered.ContinueWith(_ => _invalidated.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
