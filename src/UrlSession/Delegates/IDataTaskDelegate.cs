namespace UrlSessions;

/// <summary>Events of data (and upload) tasks. Every member has a default body.</summary>
public interface IDataTaskDelegate : ISessionTaskDelegate
{
    /// <summary>The final response arrived; decide what happens to the body. Defaults to <see cref="ResponseDisposition.Allow"/>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="response">The response.</param>
    ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
        => ValueTask.FromResult(ResponseDisposition.Allow);

    /// <summary>The data task became a download task (after <see cref="ResponseDisposition.BecomeDownload"/>); the data task reports no more events.</summary>
    /// <param name="session">The session.</param>
    /// <param name="dataTask">The data task.</param>
    /// <param name="downloadTask">The download task that carries on with the body.</param>
    void DidBecomeDownloadTask(UrlSession session, DataTask dataTask, DownloadTask downloadTask)
    {
    }

    /// <summary>
    /// The data task became a stream task (after <see cref="ResponseDisposition.BecomeStream"/>); the data task reports
    /// no more events. Read the rest of the response (and, after 101 Switching Protocols, write) through the stream task.
    /// </summary>
    /// <param name="session">The session.</param>
    /// <param name="dataTask">The data task.</param>
    /// <param name="streamTask">The stream task that carries on with the connection.</param>
    void DidBecomeStreamTask(UrlSession session, DataTask dataTask, StreamTask streamTask)
    {
    }

    /// <summary>A chunk of the body arrived, in order. The memory is valid during the call only: copy what you keep.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="data">The chunk.</param>
    void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
    {
    }

    /// <summary>The response is about to be cached; return it, a changed copy, or null to not cache it.</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    /// <param name="proposedResponse">What the session would store.</param>
    ValueTask<CachedUrlResponse?> WillCacheResponseAsync(UrlSession session, DataTask task, CachedUrlResponse proposedResponse)
        => ValueTask.FromResult<CachedUrlResponse?>(proposedResponse);
}
