namespace UrlSessions;

/// <summary>Events of stream tasks (what a data task becomes after <see cref="ResponseDisposition.BecomeStream"/>). Every member has a default body.</summary>
public interface IStreamTaskDelegate : ISessionTaskDelegate
{
    /// <summary>
    /// The read side closed: the server ended the stream, or <see cref="StreamTask.CloseRead"/> was called. Bytes
    /// already received can still be read after a server's end.
    /// </summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    void ReadClosed(UrlSession session, StreamTask task)
    {
    }

    /// <summary>The write side closed (<see cref="StreamTask.CloseWrite"/>, after the writes queued before it).</summary>
    /// <param name="session">The session.</param>
    /// <param name="task">The task.</param>
    void WriteClosed(UrlSession session, StreamTask task)
    {
    }
}
