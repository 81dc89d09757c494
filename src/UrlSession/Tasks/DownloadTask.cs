using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace UrlSessions;

/// <summary>
/// A task that writes the response body to a file. Pause it with <see cref="CancelByProducingResumeDataAsync"/>
/// and go on later with <c>CreateDownloadTask(resumeData)</c>, in this session, another one or another process.
/// </summary>
public sealed partial class DownloadTask : SessionTask
{
    private readonly Action<string?, UrlResponse?, UrlError?>? _completionHandler;
    private readonly ResumeData? _resumeData;
    private readonly UrlError? _resumeDataError;
    private byte[]? _producedResumeData;
    private int _produceResumeData;
    private string? _partialPath;
    private string? _location;
    private long _bytesWritten;
    private ResumeValidators? _validators;
    private string? _claimedPartialFile;

    /// <summary>Partial files a task resuming from a blob works on: the same blob resumed twice at once must not share one.</summary>
    private static readonly ConcurrentDictionary<string, DownloadTask> PartialFilesInUse =
        new(OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    private DownloadTask(UrlSession session, long taskIdentifier, UrlRequest? request, DownloadTaskMode mode, Action<string?, UrlResponse?, UrlError?>? completionHandler, ResumeData? resumeData, UrlError? resumeDataError)
        : base(session, taskIdentifier, request)
    {
        Mode = mode;
        _completionHandler = completionHandler;
        _resumeData = resumeData;
        _resumeDataError = resumeDataError;
    }

    internal DownloadTaskMode Mode { get; }

    /// <summary>The resume data this task goes on from, encoded again (for TaskSpec); null for a task made from a request.</summary>
    internal byte[]? ResumeDataBlob => _resumeData?.Encode();

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
        Volatile.Write(ref _produceResumeData, 1);
        Cancel();
        await Completion.ConfigureAwait(false);
        return Volatile.Read(ref _producedResumeData);
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
        if (_resumeData is not { } resume)
        {
            return request;
        }

        resume.ValidatePartialFile(Session.Settings.DownloadDirectory);
        var claimed = Path.GetFullPath(resume.PartialFilePath);
        if (!PartialFilesInUse.TryAdd(claimed, this))
        {
            throw new UrlError(UrlErrorCode.CannotOpenFile, $"The partial file of the download of {UrlText.Safe(resume.Url)} is in use by another task resuming the same data.", resume.Url);
        }

        _claimedPartialFile = claimed;
        _partialPath = resume.PartialFilePath;
        // The partial file holds the file's own bytes (a blob is made only when no content coding was applied): the
        // range must count those, so no coding is accepted for the rest either.
        return request
            .WithHeader("Range", $"bytes={resume.BytesReceived}-")
            .WithHeader("If-Range", resume.Validator!)
            .WithHeader("Accept-Encoding", "identity");
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
        return location is null ? delivered : delivered.ContinueWith(_ => DeleteFinishedFile(location), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private protected override UrlError OnFailed(UrlError error)
    {
        try
        {
            return KeepOrDeletePartialFile(error);
        }
        finally
        {
            // Released before any completion event: a delegate may resume the blob from DidComplete right away.
            ReleasePartialFile();
        }
    }

    /// <summary>This task no longer touches the partial file of the blob it came from.</summary>
    private void ReleasePartialFile()
    {
        if (Interlocked.Exchange(ref _claimedPartialFile, null) is { } claimed)
        {
            PartialFilesInUse.TryRemove(new KeyValuePair<string, DownloadTask>(claimed, this));
        }
    }

    private UrlError KeepOrDeletePartialFile(UrlError error)
    {
        var wanted = Volatile.Read(ref _produceResumeData) == 1 || IsWorthResuming(error.Code);
        var resume = wanted ? CurrentResumeData() : null;
        if (resume is null)
        {
            DeleteQuietly(_partialPath);
            return error;
        }

        var blob = resume.Encode();
        Volatile.Write(ref _producedResumeData, blob);
        return new UrlError(error.Code, error.Message, error.FailingUrl, error.InnerException, blob);
    }

    /// <summary>Failures that may pass (the network, a full disk): the partial file is worth keeping for them.</summary>
    private static bool IsWorthResuming(UrlErrorCode code) => code is UrlErrorCode.NetworkConnectionLost or UrlErrorCode.TimedOut
        or UrlErrorCode.CannotConnectToHost or UrlErrorCode.CannotFindHost or UrlErrorCode.DnsLookupFailed
        or UrlErrorCode.NotConnectedToInternet or UrlErrorCode.CannotWriteToFile;

    /// <summary>What resumes this download now, or null when it cannot be resumed.</summary>
    private ResumeData? CurrentResumeData()
    {
        if (_partialPath is not { } partial)
        {
            return null;
        }

        if (_validators is null)
        {
            // Failed before a response: the blob this task came from still describes the partial file exactly.
            return _resumeData;
        }

        var written = Interlocked.Read(ref _bytesWritten);
        if (!_validators.Resumable || written == 0)
        {
            return null;
        }

        return new ResumeData(
            OriginalRequest!.Url,
            OriginalRequest.Method.Method,
            [.. OriginalRequest.Headers.Where(h => !IsRequestOnlyHeader(h.Key))],
            written,
            _validators.ETag,
            _validators.LastModified,
            CountOfBytesExpectedToReceive,
            partial);
    }

    // Credentials are never written into a blob: Authorization and Cookie come from the stores on resume.
    private static bool IsRequestOnlyHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Range", StringComparison.OrdinalIgnoreCase)
        || name.Equals("If-Range", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Deletes a finished file its owner did not move. Freeing a large file's blocks and cached pages takes tens of
    /// milliseconds per GiB (longer while writeback runs), and the task's completion waits for the delete: on Unix the
    /// name goes at once while a handle keeps the inode, and the thread pool closes that handle, which frees it.
    /// </summary>
    private static void DeleteFinishedFile(string path)
    {
        SafeFileHandle? handle = null;
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone or not ours to open: the plain delete below does what can be done.
            }
        }

        DeleteQuietly(path);
        if (handle is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static h => h.Dispose(), handle, preferLocal: false);
        }
    }

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A file we cannot remove now is left in the session's download folder, never elsewhere.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
