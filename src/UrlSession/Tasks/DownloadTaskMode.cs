namespace UrlSessions;

/// <summary>How a download task hands over its file.</summary>
internal enum DownloadTaskMode
{
    /// <summary>DidFinishDownloading gets the temporary file; it is deleted when the callback returns.</summary>
    Delegate,
    /// <summary>The completion handler gets the temporary file; it is deleted when the handler returns.</summary>
    CompletionHandler,
    /// <summary>The awaiting caller gets the file and owns it (DownloadAsync).</summary>
    Async,
}
