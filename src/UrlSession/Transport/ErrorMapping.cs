using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;

namespace UrlSessions;

/// <summary>Maps whatever a send or a body read threw to the one <see cref="UrlError"/> that says what failed.</summary>
internal static class ErrorMapping
{
    public static UrlError ToUrlError(Exception exception, SessionTask task)
    {
        var url = task.CurrentRequest?.Url;
        var where = UrlText.Safe(url);

        // A stop (cancel, timeout, invalidation) makes everything after it throw; the reason is the error.
        if (task.StopReason is { } reason && (exception is OperationCanceledException || task.Cancellation.IsCancellationRequested))
        {
            if (exception is DelegateFailureException lost)
            {
                // A decision threw after the task was stopped for another reason: the task cannot carry it.
                task.Session.Dispatcher.ReportUnobserved(lost.Member, lost.InnerException!);
            }

            return reason;
        }

        switch (exception)
        {
            case UrlError error:
                return error;
            case DelegateFailureException failure:
                return DelegateFailure(task, failure.Member, failure.InnerException!);
            case OperationCanceledException:
                return new UrlError(UrlErrorCode.Cancelled, $"The task for {where} was cancelled.", url, exception);
        }

        if (Find<UrlError>(exception) is { } inner)
        {
            // Raised inside the handler (a body that broke its stated length) and wrapped on the way out.
            return inner;
        }

        if (Find<ServerTrustRejectedException>(exception) is { } trust)
        {
            return trust.Code == UrlErrorCode.Cancelled
                ? new UrlError(UrlErrorCode.Cancelled, $"The task for {where} was cancelled: {trust.Reason}.", url, exception)
                : new UrlError(trust.Code, $"The certificate of {where} is not trusted: {trust.Reason}.", url, exception);
        }

        if (Find<DelegateFailureException>(exception) is { } delegateFailure)
        {
            // A decision taken while connecting (server trust) fails inside the handler's connection error.
            return new UrlError(UrlErrorCode.Unknown, $"The task for {where} failed because {delegateFailure.Message}", url, delegateFailure.InnerException);
        }

        if ((Find<FileNotFoundException>(exception) ?? (Exception?)Find<DirectoryNotFoundException>(exception)) is { } missing)
        {
            return new UrlError(UrlErrorCode.FileDoesNotExist, $"The body file for {where} does not exist: {missing.Message}", url, exception);
        }

        if (Find<UnauthorizedAccessException>(exception) is { } denied)
        {
            return new UrlError(UrlErrorCode.NoPermissionsToReadFile, $"The body file for {where} cannot be read: {denied.Message}", url, exception);
        }

        if (Find<InvalidDataException>(exception) is { } decoding)
        {
            return new UrlError(UrlErrorCode.CannotDecodeContentData, $"The response from {where} could not be decoded: its content encoding is corrupt ({decoding.Message}).", url, exception);
        }

        if (Find<HttpProtocolException>(exception) is { } reset && IsStreamAbort(reset.ErrorCode))
        {
            // An HTTP/2 or HTTP/3 server that gives up on a stream (RST_STREAM INTERNAL_ERROR or CANCEL) dropped the
            // transfer, as a closed HTTP/1.1 connection does: not a malformed response, and a download can resume.
            return new UrlError(UrlErrorCode.NetworkConnectionLost, $"The connection to {where} was lost: the server reset the stream ({exception.Message})", url, exception);
        }

        var httpError = (exception as HttpRequestException)?.HttpRequestError ?? (exception as HttpIOException)?.HttpRequestError;
        if (httpError == HttpRequestError.ConnectionError && exception.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            // The session's own TLS handshake (ServerTrustEvaluator.ConnectAsync) failed: the handler reports any
            // connect-callback failure as a connection error.
            httpError = HttpRequestError.SecureConnectionError;
        }
        return httpError switch
        {
            HttpRequestError.NameResolutionError => new UrlError(UrlErrorCode.CannotFindHost, $"The host of {where} could not be found.", url, exception),
            HttpRequestError.ConnectionError or HttpRequestError.ProxyTunnelError => ConnectionFailure(exception, url, where),
            HttpRequestError.SecureConnectionError => SecureConnectionFailure(exception, url, where),
            HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError or HttpRequestError.ConfigurationLimitExceeded
                => new UrlError(UrlErrorCode.BadServerResponse, $"The server at {where} sent a response that is not valid HTTP: {exception.Message}", url, exception),
            HttpRequestError.ResponseEnded => new UrlError(UrlErrorCode.NetworkConnectionLost, $"The connection to {where} was lost before the response was complete.", url, exception),
            HttpRequestError.UserAuthenticationError => new UrlError(UrlErrorCode.UserAuthenticationRequired, $"{where} requires authentication that could not be provided.", url, exception),
            _ when Find<SocketException>(exception) is { } socket => SocketFailure(socket, exception, url, where),
            _ when Find<AuthenticationException>(exception) is not null => SecureConnectionFailure(exception, url, where),
            _ when Find<IOException>(exception) is not null => new UrlError(UrlErrorCode.NetworkConnectionLost, $"The connection to {where} was lost: {exception.Message}", url, exception),
            _ => new UrlError(UrlErrorCode.Unknown, $"The task for {where} failed: {exception.Message}", url, exception),
        };
    }

    /// <summary>
    /// The error of a task whose delegate member threw: <see cref="UrlErrorCode.Unknown"/>, naming the member, with the
    /// delegate's exception as the inner exception (the one rule for every event, see <see cref="DelegateDispatcher"/>).
    /// </summary>
    public static UrlError DelegateFailure(SessionTask task, string member, Exception exception)
    {
        var url = task.CurrentRequest?.Url;
        return new UrlError(UrlErrorCode.Unknown, $"The task for {UrlText.Safe(url)} failed because the delegate's {member} threw {exception.GetType().Name}: {exception.Message}", url, exception);
    }

    // HTTP/2 INTERNAL_ERROR (0x2) and CANCEL (0x8); HTTP/3 H3_INTERNAL_ERROR (0x102) and H3_REQUEST_CANCELLED (0x10c).
    private static bool IsStreamAbort(long errorCode) => errorCode is 0x2 or 0x8 or 0x102 or 0x10c;

    private static UrlError ConnectionFailure(Exception exception, Uri? url, string where) =>
        Find<SocketException>(exception) is { } socket
            ? SocketFailure(socket, exception, url, where)
            : new UrlError(UrlErrorCode.CannotConnectToHost, $"Could not connect to the server at {where}: {exception.Message}", url, exception);

    private static UrlError SocketFailure(SocketException socket, Exception exception, Uri? url, string where) => socket.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
            => new UrlError(UrlErrorCode.CannotFindHost, $"The host of {where} could not be found.", url, exception),
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown
            => new UrlError(UrlErrorCode.NetworkConnectionLost, $"The connection to {where} was lost: {socket.Message}", url, exception),
        SocketError.NetworkUnreachable or SocketError.NetworkDown
            => new UrlError(UrlErrorCode.NotConnectedToInternet, $"No network reaches {where}.", url, exception),
        _ => new UrlError(UrlErrorCode.CannotConnectToHost, $"Could not connect to the server at {where}: {socket.Message}", url, exception),
    };

    private static UrlError SecureConnectionFailure(Exception exception, Uri? url, string where) =>
        new UrlError(UrlErrorCode.SecureConnectionFailed, $"A secure connection to {where} could not be made: {exception.Message}", url, exception);

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
