namespace UrlSessions;

/// <summary>Which of a task's timeouts ran out.</summary>
internal enum TimeoutKind
{
    /// <summary>No data moved for the request's timeout interval (the idle timeout).</summary>
    Request,

    /// <summary>The whole task took longer than the session's resource timeout.</summary>
    Resource,
}
