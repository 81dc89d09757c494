namespace UrlSessions;

/// <summary>What a data task does with a response's body.</summary>
public enum ResponseDisposition
{
    /// <summary>Cancel the task (it completes with <see cref="UrlErrorCode.Cancelled"/>).</summary>
    Cancel,
    /// <summary>Deliver the body as data events.</summary>
    Allow,
    /// <summary>Turn the task into a download task that writes the body to a file.</summary>
    BecomeDownload,
    /// <summary>
    /// Turn the task into a <see cref="StreamTask"/> that reads the body as raw bytes on demand and, after a
    /// <c>101 Switching Protocols</c> response, writes to the connection too.
    /// </summary>
    BecomeStream,
}
