using System.Runtime.CompilerServices;

namespace UrlSessions;

/// <summary>
/// The last stage: builds a fresh <see cref="HttpRequestMessage"/> from the context (a message can be sent once) and
/// sends it on the task's connection pool, returning at the response headers.
/// </summary>
internal sealed class TransportStage(HeaderList defaultHeaders) : ExchangeStage
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context)
    {
        var request = context.Request;
        context.BodyWriteFailed = false;
        context.Host.OnSendStarted(request);
        HttpResponseMessage message;
        try
        {
            // Not disposed after the send: a message's Dispose only disposes its content, which over HTTP/2 may still be
            // going out after the response headers arrived.
            message = await context.Invoker.SendAsync(RequestMessageFactory.Create(context, defaultHeaders), context.Cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ResponseEnded && !context.Cancellation.IsCancellationRequested && !context.BodyWriteFailed)
        {
            // SocketsHttpHandler reports an HTTP/0.9 reply (a body without a status line) as "response ended"; the
            // connection was fine, the server just never sent a valid status line and headers.
            var error = new UrlError(UrlErrorCode.BadServerResponse, $"The server at {UrlText.Safe(request.Url)} closed the connection without sending a valid HTTP status line and headers (HTTP/0.9 responses are not supported).", request.Url, ex);
            context.Host.OnSendFailed(request, error);
            throw error;
        }
        catch (Exception ex)
        {
            context.Host.OnSendFailed(request, ex);
            throw;
        }

        context.Host.OnResponseHeaders(request, message);
        return message;
    }
}
