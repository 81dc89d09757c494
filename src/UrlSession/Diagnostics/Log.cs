using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>Source-generated log messages with stable event ids; cheap when the level is off.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Task {TaskIdentifier} started: {Method} {Url}")]
    public static partial void TaskStarted(ILogger logger, long taskIdentifier, string method, string url);

    [LoggerMessage(2, LogLevel.Debug, "Task {TaskIdentifier} completed in {ElapsedMs} ms")]
    public static partial void TaskSucceeded(ILogger logger, long taskIdentifier, double elapsedMs);

    [LoggerMessage(3, LogLevel.Debug, "Task {TaskIdentifier} failed with {Code}: {Message}")]
    public static partial void TaskFailed(ILogger logger, long taskIdentifier, UrlErrorCode code, string message);

    [LoggerMessage(4, LogLevel.Debug, "Task {TaskIdentifier} redirected {StatusCode} to {Url}")]
    public static partial void Redirected(ILogger logger, long taskIdentifier, int statusCode, string url);

    [LoggerMessage(6, LogLevel.Error, "The delegate's {Member} threw")]
    public static partial void DelegateThrew(ILogger logger, string member, Exception exception);

    [LoggerMessage(7, LogLevel.Debug, "Session {Session} invalidated")]
    public static partial void SessionInvalidated(ILogger logger, string session);

    [LoggerMessage(8, LogLevel.Warning, "Server certificate for {Host} rejected: {Errors}")]
    public static partial void CertificateRejected(ILogger logger, string host, System.Net.Security.SslPolicyErrors errors);

    [LoggerMessage(9, LogLevel.Debug, "Task {TaskIdentifier}: the connection to {Url} broke while the body went out; sending again with Expect: 100-continue")]
    public static partial void ResendingWithExpectContinue(ILogger logger, long taskIdentifier, string url);

    [LoggerMessage(20, LogLevel.Debug, "Task {TaskIdentifier}: {Url} cannot be reached; trying again in {DelaySeconds} s")]
    public static partial void WaitingForConnectivity(ILogger logger, long taskIdentifier, string url, double delaySeconds);

    // Counted in DelegateDispatcher.UnobservedFailures: nothing but this entry reports the exception.
    [LoggerMessage(10, LogLevel.Error, "The delegate's {Member} threw where no task can fail for it (session-level event, completion event, or a task already completed); the exception is dropped")]
    public static partial void DelegateThrewUnobserved(ILogger logger, string member, Exception exception);

}
