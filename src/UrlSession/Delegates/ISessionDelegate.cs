namespace UrlSessions;

/// <summary>
/// Session-level events. Every member has a default body, so implement only what you need. Events of one
/// session arrive one at a time, in order, on the session's delegate queue.
/// </summary>
/// <remarks>
/// A member that throws while its task runs fails that task once, with <see cref="UrlErrorCode.Unknown"/> and the
/// exception as <see cref="Exception.InnerException"/>. A throw no task can carry (from <see cref="DidBecomeInvalid"/>,
/// <c>DidComplete</c>, metrics, a completion handler, or an event of a task already completed) is logged at Error.
/// </remarks>
public interface ISessionDelegate
{
    /// <summary>The session was invalidated; it is sent exactly once, after every task completed.</summary>
    /// <param name="session">The session.</param>
    /// <param name="error">Why, when invalidation was caused by an error; null otherwise.</param>
    void DidBecomeInvalid(UrlSession session, Exception? error)
    {
    }

    /// <summary>A session-level challenge (server trust) for a connection; defaults to the platform's handling.</summary>
    /// <param name="session">The session.</param>
    /// <param name="challenge">The challenge.</param>
    ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, AuthenticationChallenge challenge)
        => ValueTask.FromResult(ChallengeResponse.PerformDefaultHandling);

    /// <summary>A background session delivered every event queued for it.</summary>
    /// <param name="session">The session.</param>
    void DidFinishEventsForBackgroundSession(UrlSession session)
    {
    }
}
