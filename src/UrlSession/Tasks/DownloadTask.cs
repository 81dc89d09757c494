namespace UrlSessions;

/// <summary>
/// A task that writes the response body to a file. Pause it with <see cref="CancelByProducingResumeDataAsync"/>
/// and go on later with <c>CreateDownloadTask(resumeData)</c>, in this session, another one or another process.
/// </summary>
public sealed partial class DownloadTask : SessionTask
{
    private readonly Action<string?, UrlResponse?, UrlError?>? _completionHandler;
    private readonly DownloadResumeState _resume;
    private readonly UrlError? _resumeDataError;
    private string? _location;

    private DownloadTask(UrlSession session, long taskIdentifier, UrlRequest? request, DownloadTaskMode mode, Action<string?, UrlResponse?, UrlError?>? completionHandler, ResumeData? resumeData, UrlError? resumeDataError)
        : base(session, taskIdentifier, request)
    {
        Mode = mode;
        _completionHandler = completionHandler;
        _resume = new DownloadResumeState(resumeData);
        _resumeDataError = resumeDataError;
    }

    internal DownloadTaskMode Mode { get; }

    /// <summary>The resume data this task goes on from, encoded again (for TaskSpec); null for a task made from a request.</summary>
    internal byte[]? ResumeDataBlob => _resume.From?.Encode();

    /// <summary>For <see cref="DownloadTaskMode.Async"/>: where the finished file is.</summary>
    internal string? Location => Volatile.Read(ref _location);

    private protected override DelegateMember SuppressedEvents =>
        Mode == DownloadTaskMode.Delegate ? DelegateMember.None : DelegateMember.DidFinishDownloading;

    /// <summary>
    /// Cancels the download and returns a blob to resume it, or null when it cannot be resumed: the request is
    /// not a GET, the server sent no strong ETag or Last-Modified, did not accept byte ranges, applied a content
    /// coding, or no byte arrived yet. The partial file is kept only when a blob is returned.
    /// </summary>
    public async Task<byte[]?> CancelByProducingResumeDataAsync()
    {
        _resume.RequestResumeData();
        Cancel();
        await Completion.ConfigureAwait(false);
        return _resume.ProducedResumeData;
    }

    internal static DownloadTask Create(UrlSession session, long taskIdentifier, UrlRequest request, DownloadTaskMode mode, Action<string?, UrlResponse?, UrlError?>? completionHandler) =>
        new(session, taskIdentifier, request, mode, completionHandler, resumeData: null, resumeDataError: null);

    /// <summary>A task from resume data; a blob that cannot be used fails the task when it runs, with a code saying why.</summary>
    internal static DownloadTask FromResumeData(UrlSession session, long taskIdentifier, byte[] blob, DownloadTaskMode mode, Action<string?, UrlResponse?, UrlError?>? completionHandler)
    {
        try
        {
            var data = ResumeData.Decode(blob);
            var request = new UrlRequest(data.Url) { Method = new HttpMethod(data.Method), Headers = HeaderList.From(data.Headers) };
            return new(session, taskIdentifier, request, mode, completionHandler, data, resumeDataError: null);
        }
        catch (UrlError error)
        {
            return new(session, taskIdentifier, request: null, mode, completionHandler, resumeData: null, error);
        }
    }

    private protected override UrlRequest PrepareRequest()
    {
        if (_resumeDataError is not null)
        {
            throw _resumeDataError;
        }

        var request = RequestValidation.Validate(OriginalRequest!);
        return _resume.From is { } resume ? _resume.ClaimPartialFile(request, resume, Session.Settings.DownloadDirectory) : request;
    }

    private protected override Task PostCompletionHandler(UrlError? error)
    {
        if (_completionHandler is not { } handler)
        {
            return Task.CompletedTask;
        }

        var location = error is null ? Location : null;
        var response = Response;
        var delivered = Session.Dispatcher.Post("completion handler", () => handler(location, response, error));

        // Seed semantics: the file lives until the handler returns; whatever it did not move is removed.
        return location is null ? delivered : delivered.ContinueWith(_ => DownloadFiles.DeleteFinishedFile(location), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private protected override UrlError OnFailed(UrlError error)
    {
        try
        {
            return _resume.KeepOrDeletePartialFile(error, OriginalRequest, CountOfBytesExpectedToReceive);
        }
        finally
        {
            // Released before any completion event: a delegate may resume the blob from DidComplete right away.
            _resume.ReleasePartialFile();
        }
    }
}
