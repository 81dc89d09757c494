namespace UrlSessions;

// Task creation and the async forms.
public sealed partial class UrlSession
{
    /// <summary>Creates a data task whose response and body go to the delegate as events. It starts suspended.</summary>
    /// <param name="request">The request (a <see cref="Uri"/> converts implicitly).</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public DataTask CreateDataTask(UrlRequest request) => NewDataTask(request, DataTaskMode.Delegate, completionHandler: null, taskDelegate: null);

    /// <summary>
    /// Creates a data task that hands the whole body to a completion handler on the delegate queue (data and response on
    /// success, the error otherwise; the delegate gets no response or data events). It starts suspended.
    /// </summary>
    /// <param name="request">The request (a <see cref="Uri"/> converts implicitly).</param>
    /// <param name="completionHandler">Called once with (data, response, error).</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public DataTask CreateDataTask(UrlRequest request, Action<byte[]?, UrlResponse?, UrlError?> completionHandler)
    {
        ArgumentNullException.ThrowIfNull(completionHandler);
        return NewDataTask(request, DataTaskMode.CompletionHandler, completionHandler, taskDelegate: null);
    }

    /// <summary>Loads a request and returns the whole body and the response. HTTP errors (4xx, 5xx) are responses, not exceptions.</summary>
    /// <param name="request">The request (a <see cref="Uri"/> converts implicitly).</param>
    /// <param name="taskDelegate">Receives this task's events, data events included.</param>
    /// <param name="cancellationToken">Cancels the task (<see cref="UrlErrorCode.Cancelled"/>).</param>
    /// <exception cref="UrlError">The load failed.</exception>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public Task<(byte[] Data, UrlResponse Response)> DataAsync(UrlRequest request, ISessionTaskDelegate? taskDelegate = null, CancellationToken cancellationToken = default) =>
        RunCollectingAsync(NewDataTask(request, DataTaskMode.Collect, completionHandler: null, taskDelegate), cancellationToken);

    /// <summary>
    /// Loads a request and returns as soon as the response arrived, with the body as a stream read from the
    /// network as you read it (backpressure included). Dispose the stream to stop early (the task is cancelled).
    /// </summary>
    /// <param name="request">The request (a <see cref="Uri"/> converts implicitly).</param>
    /// <param name="taskDelegate">Receives this task's events except data events (the data is the stream).</param>
    /// <param name="cancellationToken">Cancels the task, also while the stream is being read.</param>
    /// <exception cref="UrlError">The load failed before the response arrived; later failures surface from the stream's reads.</exception>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public async Task<(UrlResponse Response, Stream Body)> BytesAsync(UrlRequest request, ISessionTaskDelegate? taskDelegate = null, CancellationToken cancellationToken = default)
    {
        var task = NewDataTask(request, DataTaskMode.Stream, completionHandler: null, taskDelegate);
        var registration = cancellationToken.Register(static t => ((SessionTask)t!).Cancel(), task);
        _ = task.Completion.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        task.Resume();
        var body = await task.StreamReady!.Task.ConfigureAwait(false);
        return (task.Response!, body);
    }

    private static async Task<(byte[] Data, UrlResponse Response)> RunCollectingAsync(DataTask task, CancellationToken cancellationToken)
    {
        // RunToCompletionAsync's body, inlined: awaiting it would cost a second state machine per DataAsync call.
        using (cancellationToken.Register(static t => ((SessionTask)t!).Cancel(), task))
        {
            await task.ResumeInlineAsync().ConfigureAwait(false);
        }

        if (task.Error is { } error)
        {
            throw error;
        }

        return (task.Data ?? [], task.Response!);
    }

    /// <summary>Resumes a task, cancels it with the token, and throws its error once it completed.</summary>
    private static async Task RunToCompletionAsync(SessionTask task, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(static t => ((SessionTask)t!).Cancel(), task))
        {
            // Started on this thread and awaited without an extra thread-pool trip (see ResumeInlineAsync).
            await task.ResumeInlineAsync().ConfigureAwait(false);
        }

        if (task.Error is { } error)
        {
            throw error;
        }
    }

    private DataTask NewDataTask(UrlRequest request, DataTaskMode mode, Action<byte[]?, UrlResponse?, UrlError?>? completionHandler, ISessionTaskDelegate? taskDelegate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfInvalidated();
        return Track(DataTask.Create(this, NextTaskIdentifier(), request, mode, completionHandler), taskDelegate);
    }

    private long NextTaskIdentifier() => Interlocked.Increment(ref _lastTaskIdentifier);

    /// <summary>Registers a new task with its delegate and announces it (DidCreateTask).</summary>
    /// <param name="task">The new task.</param>
    /// <param name="taskDelegate">The task's own delegate, if any.</param>
    /// <param name="adopted">The task takes over a running task's response, which invalidation lets finish.</param>
    private T Track<T>(T task, ISessionTaskDelegate? taskDelegate, bool adopted = false)
        where T : SessionTask
    {
        task.Delegate = taskDelegate;
        if (!Registry.TryAdd(task, out var mustCancel, whileClosing: adopted))
        {
            // Invalidation began between ThrowIfInvalidated and here.
            throw InvalidatedException();
        }

        if (mustCancel)
        {
            // InvalidateAndCancel ran while the task this one takes over decided to hand its response on.
            task.Cancel();
        }

        Observer?.TaskCreated(task);
        if (task.DelegateFor<ISessionTaskDelegate>(DelegateMember.DidCreateTask) is { } target)
        {
            PostDidCreateTask(target, task);
        }

        return task;
    }

    // Its own method so the closure is allocated only when the event is sent (capturing Register's
    // parameter would allocate it on every task).
    private void PostDidCreateTask(ISessionTaskDelegate target, SessionTask task) =>
        Dispatcher.Post(task, nameof(ISessionTaskDelegate.DidCreateTask), () => target.DidCreateTask(this, task));

    private void ThrowIfInvalidated()
    {
        if (Volatile.Read(ref _state) != Valid)
        {
            throw InvalidatedException();
        }
    }

    private InvalidOperationException InvalidatedException() =>
        new($"{this} was invalidated (FinishTasksAndInvalidate, InvalidateAndCancel or DisposeAsync) and accepts no new tasks; create a new session.");
}
