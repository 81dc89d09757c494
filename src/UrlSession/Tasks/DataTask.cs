namespace UrlSessions;

/// <summary>A task that delivers a response body in memory: as data events, whole to a completion handler, or to an awaiting caller.</summary>
public class DataTask : SessionTask
{
    private readonly Action<byte[]?, UrlResponse?, UrlError?>? _completionHandler;
    private byte[]? _data;
    private long _bufferedBytes;
    private bool _handedOver;
    private long _maxBufferedBytes;

    private protected DataTask(UrlSession session, long taskIdentifier, UrlRequest request, DataTaskMode mode, Action<byte[]?, UrlResponse?, UrlError?>? completionHandler)
        : base(session, taskIdentifier, request)
    {
        Mode = mode;
        _completionHandler = completionHandler;
        if (mode == DataTaskMode.Stream)
        {
            StreamReady = new TaskCompletionSource<Stream>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    internal DataTaskMode Mode { get; }

    /// <summary>The whole body, for completion-handler and collecting tasks.</summary>
    internal byte[]? Data => Volatile.Read(ref _data);

    /// <summary>For <see cref="DataTaskMode.Stream"/>: the body stream, once the response arrived.</summary>
    internal TaskCompletionSource<Stream>? StreamReady { get; }

    /// <summary>The most body bytes held between the network and the delegate at once (the backpressure bound's witness).</summary>
    internal long MaxBufferedBytes => Interlocked.Read(ref _maxBufferedBytes);

    /// <summary>Test seam: called when the body pump has to wait because the delegate is behind.</summary>
    internal Action? OnBackpressure { get; set; }

    private protected override DelegateMember SuppressedEvents => Mode switch
    {
        DataTaskMode.CompletionHandler => DelegateMember.DidReceiveResponse | DelegateMember.DidReceiveData,
        DataTaskMode.Stream => DelegateMember.DidReceiveData,
        _ => DelegateMember.None,
    };

    private protected override DelegateMember OwnDelegateOnlyEvents =>
        Mode is DataTaskMode.Collect or DataTaskMode.Stream ? DelegateMember.DidReceiveResponse | DelegateMember.DidReceiveData : DelegateMember.None;

    internal static DataTask Create(UrlSession session, long taskIdentifier, UrlRequest request, DataTaskMode mode, Action<byte[]?, UrlResponse?, UrlError?>? completionHandler) =>
        new(session, taskIdentifier, request, mode, completionHandler);

    internal void NoteBuffered(long delta)
    {
        var now = Interlocked.Add(ref _bufferedBytes, delta);
        long max;
        while (now > (max = Interlocked.Read(ref _maxBufferedBytes)) && Interlocked.CompareExchange(ref _maxBufferedBytes, now, max) != max)
        {
        }
    }

    /// <summary>
    /// Cancels the task and returns the error it completes with, to throw. Read from the task's state, not its token:
    /// when another Cancel (the caller disposing the body stream, the user) won the move to canceling, that thread may
    /// not have cancelled the token yet, and a token check here would carry on as if nothing happened, completing the
    /// canceled task without an error.
    /// </summary>
    internal UrlError CancelNow()
    {
        Cancel();
        return StopReason ?? new UrlError(UrlErrorCode.Cancelled, $"The task for {UrlText.Safe(CurrentRequest?.Url)} was cancelled.", CurrentRequest?.Url);
    }

    private protected override async Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response)
    {
        if (DelegateFor<IDataTaskDelegate>(DelegateMember.DidReceiveResponse) is { } responseTarget)
        {
            var disposition = await AskDidReceiveResponse(responseTarget, response).ConfigureAwait(false);
            switch (disposition)
            {
                case ResponseDisposition.Allow:
                    break;
                case ResponseDisposition.Cancel:
                    throw CancelNow();
                case ResponseDisposition.BecomeDownload when Mode == DataTaskMode.Delegate:
                    // Cancelled (or timed out) while the delegate decided: the task ends so, and reports it; it does not
                    // live on as a download nobody asked for any more.
                    Cancellation.Token.ThrowIfCancellationRequested();
                    await BecomeDownloadAsync(message, response).ConfigureAwait(false);
                    return;
                case ResponseDisposition.BecomeStream when Mode == DataTaskMode.Delegate:
                    Cancellation.Token.ThrowIfCancellationRequested();
                    await BecomeStreamAsync(message, response).ConfigureAwait(false);
                    return;
                case ResponseDisposition.BecomeDownload or ResponseDisposition.BecomeStream:
                    // DataAsync, UploadAsync and BytesAsync return the body to their caller: handed to another task it
                    // would never arrive (an empty "success", or a BytesAsync that never returns).
                    throw new UrlError(UrlErrorCode.Unknown, $"The delegate answered {disposition} for {UrlText.Safe(response.Url)}, but an async call (DataAsync, UploadAsync, BytesAsync) returns the body to its caller; use DownloadAsync, or a data task created with CreateDataTask.", response.Url);
                default:
                    throw new UrlError(UrlErrorCode.Unknown, $"The delegate answered {(int)disposition} for {UrlText.Safe(response.Url)}, which is not a ResponseDisposition.", response.Url);
            }
        }

        var body = await ResponseBodyOpener.OpenAsync(message.Content, Cancellation.Token).ConfigureAwait(false);
        try
        {
            await ReceiveIntoSinkAsync(body.Stream, response).ConfigureAwait(false);
        }
        finally
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The sink for this task's mode: the caller's stream, the delegate's pipe, or memory.</summary>
    private async Task ReceiveIntoSinkAsync(Stream body, HttpUrlResponse response)
    {
        if (Mode == DataTaskMode.Stream)
        {
            await CallerStreamSink.PumpAsync(body, this, StreamReady!).ConfigureAwait(false);
            return;
        }

        var collect = Mode is DataTaskMode.CompletionHandler or DataTaskMode.Collect;
        var data = DelegateFor<IDataTaskDelegate>(DelegateMember.DidReceiveData) is { } dataTarget
            ? await DelegatePipeSink.PumpAsync(body, this, dataTarget, collect).ConfigureAwait(false)
            : collect
                ? await MemorySink.ReadAllAsync(body, this, response.ExpectedContentLength).ConfigureAwait(false)
                : await MemorySink.DiscardAsync(body, this).ConfigureAwait(false);
        Volatile.Write(ref _data, data);
    }

    private protected override bool HandedOver => Volatile.Read(ref _handedOver);

    /// <summary>Hands the response to a new download task, tells the delegate, and waits while the download carries on.</summary>
    private async Task BecomeDownloadAsync(HttpResponseMessage message, HttpUrlResponse response)
    {
        var request = CurrentRequest!;
        var download = Session.AdoptAsDownload(request, Delegate);
        Volatile.Write(ref _handedOver, true);
        StopTimeouts();
        if (DelegateFor<IDataTaskDelegate>(DelegateMember.DidBecomeDownloadTask) is { } target)
        {
            _ = Session.Dispatcher.Post(download, nameof(IDataTaskDelegate.DidBecomeDownloadTask), () => target.DidBecomeDownloadTask(Session, this, download));
        }

        await download.RunAdoptedAsync(message, response, request, this).ConfigureAwait(false);
    }

    /// <summary>Hands the connection to a new stream task, tells the delegate, and waits while the stream task lives.</summary>
    private async Task BecomeStreamAsync(HttpResponseMessage message, HttpUrlResponse response)
    {
        var request = CurrentRequest!;
        var stream = Session.AdoptAsStream(request, response, Delegate);
        Volatile.Write(ref _handedOver, true);
        StopTimeouts();
        if (DelegateFor<IDataTaskDelegate>(DelegateMember.DidBecomeStreamTask) is { } target)
        {
            _ = Session.Dispatcher.Post(stream, nameof(IDataTaskDelegate.DidBecomeStreamTask), () => target.DidBecomeStreamTask(Session, this, stream));
        }

        await stream.RunAdoptedAsync(message, response, request, this).ConfigureAwait(false);
    }

    // Its own method: a lambda in ReceiveBodyAsync capturing its parameter would allocate a closure per task.
    private Task<ResponseDisposition> AskDidReceiveResponse(IDataTaskDelegate target, HttpUrlResponse response) =>
        AskDelegateAsync(nameof(IDataTaskDelegate.DidReceiveResponseAsync), () => target.DidReceiveResponseAsync(Session, this, response));

    private protected override Task PostCompletionHandler(UrlError? error)
    {
        if (_completionHandler is not { } handler)
        {
            return Task.CompletedTask;
        }

        // The arguments travel as the queued event's state: no closure.
        var call = (Handler: handler, Data: error is null ? Data ?? [] : null, Response, Error: error);
        return Session.Dispatcher.Post("completion handler", static call => call.Handler(call.Data, call.Response, call.Error), call);
    }

    private protected override void OnCompleted(UrlError? error)
    {
        if (error is not null)
        {
            StreamReady?.TrySetException(error);
        }
        else
        {
            StreamReady?.TrySetResult(Stream.Null);
        }
    }
}
