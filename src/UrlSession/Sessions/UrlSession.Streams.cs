namespace UrlSessions;

// Stream tasks: a data task's connection handed to the caller (ResponseDisposition.BecomeStream).
public sealed partial class UrlSession
{
    /// <summary>A stream task that takes over a data task's response and connection.</summary>
    /// <remarks>As <see cref="AdoptAsDownload"/>: no invalidation check, since the data task handing over still runs.</remarks>
    internal StreamTask AdoptAsStream(UrlRequest request, HttpUrlResponse response, ISessionTaskDelegate? taskDelegate)
    {
        var task = StreamTask.Create(this, NextTaskIdentifier(), request, response);
        task.MarkAdoptedRunning();
        return Track(task, taskDelegate, adopted: true);
    }
}
