namespace UrlSessions;

/// <summary>Events of download tasks. <see cref="DidFinishDownloading"/> is required.</summary>
public interface IDownloadTaskDelegate : ISessionTaskDelegate
{
    /// <summary>The download finished into a temporary file; move it before returning, as it is deleted afterwards.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="location">The temporary file's path.</param>
    void DidFinishDownloading(UrlSession session, DownloadTask task, string location);

    /// <summary>Bytes were written to the download file.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="bytesWritten">Bytes written since the last event.</param>
    /// <param name="totalBytesWritten">Bytes written so far (a resumed download counts the bytes it already had).</param>
    /// <param name="totalBytesExpectedToWrite">The expected total, or -1 when unknown.</param>
    void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite)
    {
    }

    /// <summary>A download created from resume data started receiving: at the recorded offset, or at 0 when it had to start over.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="fileOffset">Where the download goes on (0 when it started over).</param>
    /// <param name="expectedTotalBytes">The expected total, or -1 when unknown.</param>
    void DidResumeAtOffset(UrlSession session, DownloadTask task, long fileOffset, long expectedTotalBytes)
    {
    }
}
