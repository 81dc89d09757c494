namespace UrlSessions;

// Download tasks: the body goes to a file in the session's download folder.
public sealed partial class UrlSession
{
    /// <summary>
    /// Creates a download task: the body streams to a temporary file handed to
    /// <see cref="IDownloadTaskDelegate.DidFinishDownloading"/>, which must move it before returning. It starts suspended.
    /// </summary>
    /// <param name="request">The request (a <see cref="Uri"/> converts implicitly).</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public DownloadTask CreateDownloadTask(UrlRequest request) => NewDownloadTask(request, DownloadTaskMode.Delegate, completionHandler: null, taskDelegate: null);

    /// <summary>
    /// Creates a download task whose completion handler gets the temporary file's path (deleted when the handler
    /// returns), the response and the error. It starts suspended.
    /// </summary>
    /// <param name="request">The request (a <see cref="Uri"/> converts implicitly).</param>
    /// <param name="completionHandler">Called once with (location, response, error).</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public DownloadTask CreateDownloadTask(UrlRequest request, Action<string?, UrlResponse?, UrlError?> completionHandler)
    {
        ArgumentNullException.ThrowIfNull(completionHandler);
        return NewDownloadTask(request, DownloadTaskMode.CompletionHandler, completionHandler, taskDelegate: null);
    }

    /// <summary>
    /// Creates a download task that goes on from resume data (from <see cref="DownloadTask.CancelByProducingResumeDataAsync"/>
    /// or <see cref="UrlError.DownloadTaskResumeData"/>). A blob that cannot be used fails the task with
    /// <see cref="UrlErrorCode.CannotDecodeRawData"/>, <see cref="UrlErrorCode.FileDoesNotExist"/> or <see cref="UrlErrorCode.CannotOpenFile"/>.
    /// </summary>
    /// <param name="resumeData">The blob.</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public DownloadTask CreateDownloadTask(byte[] resumeData) => NewResumedDownloadTask(resumeData, DownloadTaskMode.Delegate, completionHandler: null, taskDelegate: null);

    /// <summary>Creates a download task from resume data whose completion handler gets the file. It starts suspended.</summary>
    /// <param name="resumeData">The blob.</param>
    /// <param name="completionHandler">Called once with (location, response, error).</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public DownloadTask CreateDownloadTask(byte[] resumeData, Action<string?, UrlResponse?, UrlError?> completionHandler)
    {
        ArgumentNullException.ThrowIfNull(completionHandler);
        return NewResumedDownloadTask(resumeData, DownloadTaskMode.CompletionHandler, completionHandler, taskDelegate: null);
    }

    /// <summary>Downloads to a file and returns its path, which the caller owns from then on (move or delete it).</summary>
    /// <param name="request">The request (a <see cref="Uri"/> converts implicitly).</param>
    /// <param name="taskDelegate">Receives this task's events (progress: <see cref="IDownloadTaskDelegate.DidWriteData"/>; never DidFinishDownloading).</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    /// <exception cref="UrlError">The download failed; <see cref="UrlError.DownloadTaskResumeData"/> resumes it when possible.</exception>
    public Task<(string Location, UrlResponse Response)> DownloadAsync(UrlRequest request, ISessionTaskDelegate? taskDelegate = null, CancellationToken cancellationToken = default) =>
        RunDownloadAsync(NewDownloadTask(request, DownloadTaskMode.Async, completionHandler: null, taskDelegate), cancellationToken);

    /// <summary>Resumes a download from resume data and returns the finished file's path, which the caller owns.</summary>
    /// <param name="resumeData">The blob.</param>
    /// <param name="taskDelegate">Receives this task's events.</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    /// <exception cref="UrlError">The download failed or the blob cannot be used.</exception>
    public Task<(string Location, UrlResponse Response)> DownloadAsync(byte[] resumeData, ISessionTaskDelegate? taskDelegate = null, CancellationToken cancellationToken = default) =>
        RunDownloadAsync(NewResumedDownloadTask(resumeData, DownloadTaskMode.Async, completionHandler: null, taskDelegate), cancellationToken);

    /// <summary>A download task that takes over a data task's response (<see cref="ResponseDisposition.BecomeDownload"/>).</summary>
    internal DownloadTask AdoptAsDownload(UrlRequest request, ISessionTaskDelegate? taskDelegate)
    {
        ThrowIfInvalidated();

        // Running before anyone can see it (DidCreateTask, DidBecomeDownloadTask, GetAllTasks): a Resume() from there
        // must not start it a second time, which would send the request again.
        var task = DownloadTask.Create(this, NextTaskIdentifier(), request, DownloadTaskMode.Delegate, completionHandler: null);
        task.MarkAdoptedRunning();
        return Track(task, taskDelegate);
    }

    private static async Task<(string Location, UrlResponse Response)> RunDownloadAsync(DownloadTask task, CancellationToken cancellationToken)
    {
        await RunToCompletionAsync(task, cancellationToken).ConfigureAwait(false);
        return (task.Location!, task.Response!);
    }

    private DownloadTask NewDownloadTask(UrlRequest request, DownloadTaskMode mode, Action<string?, UrlResponse?, UrlError?>? completionHandler, ISessionTaskDelegate? taskDelegate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfInvalidated();
        return Track(DownloadTask.Create(this, NextTaskIdentifier(), request, mode, completionHandler), taskDelegate);
    }

    private DownloadTask NewResumedDownloadTask(byte[] resumeData, DownloadTaskMode mode, Action<string?, UrlResponse?, UrlError?>? completionHandler, ISessionTaskDelegate? taskDelegate)
    {
        ArgumentNullException.ThrowIfNull(resumeData);
        ThrowIfInvalidated();
        return Track(DownloadTask.FromResumeData(this, NextTaskIdentifier(), resumeData, mode, completionHandler), taskDelegate);
    }
}
