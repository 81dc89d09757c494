namespace UrlSessions;

/// <summary>
/// A connection attempt whose server certificate was not trusted (by the platform or the delegate), or whose
/// challenge the delegate cancelled. It travels inside the handler's connection error, so the failing task reports
/// this attempt's verdict: nothing is remembered between attempts.
/// </summary>
internal sealed class ServerTrustRejectedException(UrlErrorCode code, string reason, Exception? inner = null)
    : Exception($"The server certificate was not accepted: {reason}.", inner)
{
    /// <summary>The task's error code: a certificate error, or <see cref="UrlErrorCode.Cancelled"/>.</summary>
    public UrlErrorCode Code { get; } = code;

    /// <summary>Why, for the error message.</summary>
    public string Reason { get; } = reason;
}
