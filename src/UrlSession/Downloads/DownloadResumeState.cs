using System.Collections.Concurrent;

namespace UrlSessions;

/// <summary>
/// A download's resume bookkeeping, owned by its <see cref="DownloadTask"/>: the blob it goes on from, the partial file
/// it claims and writes, the bytes on disk and the validators a new blob needs, and on failure whether the partial file
/// is kept (with a blob) or deleted.
/// </summary>
internal sealed class DownloadResumeState
{
    /// <summary>Partial files a task resuming from a blob works on: the same blob resumed twice at once must not share one.</summary>
    private static readonly ConcurrentDictionary<string, DownloadResumeState> PartialFilesInUse =
        new(OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    private byte[]? _producedResumeData;
    private int _produceResumeData;
    private long _bytesWritten;
    private string? _claimedPartialFile;

    public DownloadResumeState(ResumeData? resumeData)
    {
        From = resumeData;
    }

    /// <summary>The resume data the task goes on from; null for a task made from a request.</summary>
    public ResumeData? From { get; }

    /// <summary>The file the body is written to; null when there is none to keep or delete (handed over, disowned).</summary>
    public string? PartialPath { get; set; }

    /// <summary>Whether (and with what) the final response can be resumed; null before a response.</summary>
    public ResumeValidators? Validators { get; set; }

    /// <summary>The blob produced when the task failed, if it was kept.</summary>
    public byte[]? ProducedResumeData => Volatile.Read(ref _producedResumeData);

    /// <summary>The caller asked for resume data (<see cref="DownloadTask.CancelByProducingResumeDataAsync"/>): keep the file whatever the failure.</summary>
    public void RequestResumeData() => Volatile.Write(ref _produceResumeData, 1);

    /// <summary>The bytes on disk, what resume data records.</summary>
    public void SetBytesWritten(long total) => Interlocked.Exchange(ref _bytesWritten, total);

    /// <summary>Claims the blob's partial file for this task and asks for the rest of the file after it.</summary>
    public UrlRequest ClaimPartialFile(UrlRequest request, ResumeData resume, string downloadDirectory)
    {
        resume.ValidatePartialFile(downloadDirectory);
        var claimed = Path.GetFullPath(resume.PartialFilePath);
        if (!PartialFilesInUse.TryAdd(claimed, this))
        {
            throw new UrlError(UrlErrorCode.CannotOpenFile, $"The partial file of the download of {UrlText.Safe(resume.Url)} is in use by another task resuming the same data.", resume.Url);
        }

        _claimedPartialFile = claimed;
        PartialPath = resume.PartialFilePath;
        // The partial file holds the file's own bytes (a blob is made only when no content coding was applied): the
        // range must count those, so no coding is accepted for the rest either.
        return request
            .WithHeader("Range", $"bytes={resume.BytesReceived}-")
            .WithHeader("If-Range", resume.Validator!)
            .WithHeader("Accept-Encoding", "identity");
    }

    /// <summary>This task no longer touches the partial file of the blob it came from.</summary>
    public void ReleasePartialFile()
    {
        if (Interlocked.Exchange(ref _claimedPartialFile, null) is { } claimed)
        {
            PartialFilesInUse.TryRemove(new KeyValuePair<string, DownloadResumeState>(claimed, this));
        }
    }

    /// <param name="error">The task's error.</param>
    /// <param name="originalRequest">The task's original request (null only for a blob that could not be read).</param>
    /// <param name="expectedLength">The task's <see cref="SessionTask.CountOfBytesExpectedToReceive"/>.</param>
    /// <returns>The error, with the blob attached when the partial file was kept.</returns>
    public UrlError KeepOrDeletePartialFile(UrlError error, UrlRequest? originalRequest, long expectedLength)
    {
        var wanted = Volatile.Read(ref _produceResumeData) == 1 || IsWorthResuming(error.Code);
        var resume = wanted ? CurrentResumeData(originalRequest, expectedLength) : null;
        if (resume is null)
        {
            DownloadFiles.DeleteQuietly(PartialPath);
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
    private ResumeData? CurrentResumeData(UrlRequest? originalRequest, long expectedLength)
    {
        if (PartialPath is not { } partial)
        {
            return null;
        }

        if (Validators is null)
        {
            // Failed before a response: the blob this task came from still describes the partial file exactly.
            return From;
        }

        var written = Interlocked.Read(ref _bytesWritten);
        if (!Validators.Resumable || written == 0)
        {
            return null;
        }

        return new ResumeData(
            originalRequest!.Url,
            originalRequest.Method.Method,
            [.. originalRequest.Headers.Where(h => !IsRequestOnlyHeader(h.Key))],
            written,
            Validators.ETag,
            Validators.LastModified,
            expectedLength,
            partial);
    }

    // Credentials are never written into a blob: Authorization and Cookie come from the stores on resume.
    private static bool IsRequestOnlyHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Range", StringComparison.OrdinalIgnoreCase)
        || name.Equals("If-Range", StringComparison.OrdinalIgnoreCase);
}
