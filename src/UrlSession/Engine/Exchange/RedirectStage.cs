using System.Runtime.CompilerServices;

namespace UrlSessions;

/// <summary>
/// The hop loop: a 3xx with a Location becomes the next hop's request (URLSession's method and origin rules in
/// <see cref="RedirectPolicy"/>) after the delegate agreed; a refused redirect is the final response. The 17th
/// redirect response fails the exchange. Outermost stage: every hop passes validation, cache, authentication and
/// cookies again, as Fetch's "HTTP fetch" sits above "HTTP-network-or-cache fetch".
/// </summary>
internal sealed class RedirectStage(SessionSettings settings) : ExchangeStage
{
    /// <summary>Redirects followed at most; the 17th redirect response fails the task.</summary>
    internal const int MaxRedirects = 16;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context)
    {
        for (var redirects = 0; ; redirects++)
        {
            var request = context.Request;
            context.Host.OnRequestChanged(request);
            var message = await Next.SendAsync(context).ConfigureAwait(false);
            UrlRequest? decided;
            int status;
            try
            {
                var response = ResponseFactory.Create(request.Url, message);
                status = (int)message.StatusCode;
                if (!RedirectPolicy.IsRedirect(status) || message.Headers.Location is null)
                {
                    context.FinalResponse = response;
                    return message;
                }

                if (redirects == MaxRedirects)
                {
                    throw new UrlError(UrlErrorCode.HttpTooManyRedirects, $"{UrlText.Safe(request.Url)} redirected once more after {MaxRedirects} redirects; the session follows at most {MaxRedirects}.", request.Url);
                }

                var proposed = RedirectPolicy.Propose(request, status, message.Headers.Location, settings);
                decided = await context.Host.DecideRedirectAsync(response, proposed).ConfigureAwait(false);
                if (decided is null)
                {
                    // The delegate refused: the redirect response is the final response, body and all.
                    context.FinalResponse = response;
                    return message;
                }
            }
            catch
            {
                // Whatever failed before the response was handed on (a delegate decision that threw, a bad Location, too
                // many redirects): an undisposed response would keep its connection out of the pool.
                message.Dispose();
                throw;
            }

            message.Dispose();
            context.Request = decided;
            context.Credential = null;
            context.Host.OnRedirected(status, decided);
        }
    }
}
