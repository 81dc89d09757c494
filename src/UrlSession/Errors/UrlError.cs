namespace UrlSessions;

/// <summary>
/// The one error type of UrlSession: what failed (<see cref="Code"/>), for which URL
/// (<see cref="FailingUrl"/>), and the original exception as <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>
/// The message names the URL without its user-info part and never contains header values, so it is
/// safe to log.
/// </remarks>
public sealed class UrlError : Exception
{
    /// <summary>Creates an error with a code, a plain-words message, the failing URL and the cause.</summary>
    /// <param name="code">What kind of failure this is.</param>
    /// <param name="message">What failed, in plain words.</param>
    /// <param name="failingUrl">The URL whose load failed, if any.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public UrlError(UrlErrorCode code, string message, Uri? failingUrl = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        FailingUrl = failingUrl;
        HResult = (int)code;
    }

    /// <summary>Creates an error with a code, a message and the failing URL, carrying resume data.</summary>
    /// <param name="code">What kind of failure this is.</param>
    /// <param name="message">What failed, in plain words.</param>
    /// <param name="failingUrl">The URL whose load failed, if any.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    /// <param name="downloadTaskResumeData">A blob that resumes the failed download.</param>
    public UrlError(UrlErrorCode code, string message, Uri? failingUrl, Exception? innerException, byte[]? downloadTaskResumeData)
        : this(code, message, failingUrl, innerException)
    {
        DownloadTaskResumeData = downloadTaskResumeData;
    }

    /// <summary>What kind of failure this is; the values match <c>NSURLErrorDomain</c>.</summary>
    public UrlErrorCode Code { get; }

    /// <summary>The URL whose load failed (for redirects, the URL that answered last).</summary>
    public Uri? FailingUrl { get; }

    /// <summary>For a failed download that can be resumed, the blob to pass to <c>CreateDownloadTask(byte[])</c>.</summary>
    public byte[]? DownloadTaskResumeData { get; }

}
