using System.Net;
using System.Runtime.CompilerServices;

namespace UrlSessions;

/// <summary>
/// Answers 401 challenges within one hop: the delegate (or the credential storage by default) gives a credential and
/// the request is sent again with it, until the server accepts it or the challenge is declined and the 401 is the
/// response. A one-shot body needs a fresh stream for every send after its first, which is asked for here.
/// </summary>
internal sealed class AuthenticationStage(SessionServices services) : ExchangeStage
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context)
    {
        // Created at the hop's first 401 only: most requests are never challenged.
        HttpChallengeState? challenges = null;
        while (true)
        {
            context.ReplacementBody = await NextBodyStreamAsync(context).ConfigureAwait(false);
            var message = await Next.SendAsync(context).ConfigureAwait(false);
            if (message.StatusCode != HttpStatusCode.Unauthorized)
            {
                return message;
            }

            try
            {
                challenges ??= new HttpChallengeState();
                var credential = await HttpAuthentication.AnswerAsync(context.Host, services.UrlCredentialStorage, context.Request, message, challenges, context.Cancellation).ConfigureAwait(false);
                if (credential is null)
                {
                    return message;
                }

                context.Credential = credential;
            }
            catch
            {
                message.Dispose();
                throw;
            }

            message.Dispose();
        }
    }

    /// <summary>
    /// A stream body is one-shot: from its second send on, the delegate must supply a new stream. A body the exchange
    /// has not sent yet (a redirect decision that brought a fresh stream) is sent as it is.
    /// </summary>
    private static async ValueTask<Stream?> NextBodyStreamAsync(ExchangeContext context)
    {
        var request = context.Request;
        if (request.Body is not { IsReplayable: false } body)
        {
            return null;
        }

        if (!ReferenceEquals(context.SentStreamBody, body))
        {
            context.SentStreamBody = body;
            return null;
        }

        return await context.Host.NeedNewBodyStreamAsync().ConfigureAwait(false)
            ?? throw new UrlError(UrlErrorCode.RequestBodyStreamExhausted, $"The request to {UrlText.Safe(request.Url)} must be sent again, and its body stream can be read only once: the delegate's NeedNewBodyStreamAsync gave no new stream.", request.Url);
    }
}
