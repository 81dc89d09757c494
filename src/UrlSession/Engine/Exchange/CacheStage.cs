namespace UrlSessions;

/// <summary>
/// Where the HTTP cache (RFC 9111) answers or revalidates a hop. Empty for now: every request goes to the network.
/// It sits above authentication and cookies so that a cached answer never re-runs a challenge or stores cookies
/// again (cookies are set from network responses only, as in Fetch).
/// </summary>
internal sealed class CacheStage : ExchangeStage
{
    public override ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context) => Next.SendAsync(context);
}
