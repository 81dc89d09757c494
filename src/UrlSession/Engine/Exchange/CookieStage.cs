using System.Runtime.CompilerServices;

namespace UrlSessions;

/// <summary>
/// Adds the stored cookies for the request's URL to every network send and stores the response's Set-Cookie fields,
/// also from a 401 or a redirect (the next send then carries them). Composed only when the session handles cookies.
/// </summary>
internal sealed class CookieStage(SessionSettings settings, SessionServices services) : ExchangeStage
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context)
    {
        var request = context.Request;
        context.CookieHeader = CookieHandling.RequestCookieHeader(request, settings, services);
        var message = await Next.SendAsync(context).ConfigureAwait(false);
        CookieHandling.StoreResponseCookies(request, message, settings, services);
        return message;
    }
}
