using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>
/// Request bodies and <c>Expect: 100-continue</c>. A body at least <see cref="SessionConfiguration.ExpectContinueThreshold"/>
/// long asks for it from the start. Otherwise, when the connection breaks while the body goes out, the request is sent
/// once more asking for it: most often the server answered early (413, 401) and closed the connection, and
/// SocketsHttpHandler drops that answer for a bare connection error. Asked first, such a server answers before any of
/// the body is sent, and that answer is delivered. Only bodies that can be read again (bytes, files) are re-sent.
/// </summary>
internal sealed class ExpectContinueStage(SessionSettings settings, ILogger logger) : ExchangeStage
{
    public override ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context)
    {
        var body = context.Request.Body;
        context.ExpectContinue = body is not null && settings.ExpectContinueThreshold is { } threshold && (body.Length ?? long.MaxValue) >= threshold;
        return body is { IsReplayable: true } && !context.ExpectContinue ? SendResendingAsync(context) : Next.SendAsync(context);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HttpResponseMessage> SendResendingAsync(ExchangeContext context)
    {
        try
        {
            return await Next.SendAsync(context).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (context.BodyWriteFailed && !context.Cancellation.IsCancellationRequested)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                Log.ResendingWithExpectContinue(logger, context.TaskIdentifier, UrlText.Safe(context.Request.Url));
            }
        }

        context.ExpectContinue = true;
        try
        {
            return await Next.SendAsync(context).ConfigureAwait(false);
        }
        finally
        {
            context.ExpectContinue = false;
        }
    }
}
