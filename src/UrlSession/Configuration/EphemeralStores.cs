namespace UrlSessions;

/// <summary>
/// An ephemeral configuration's own stores and how many live sessions use them: sessions made from one
/// configuration (or from <c>session.Configuration</c>'s copy) share them, so they are emptied only when the last
/// of those sessions is invalidated.
/// </summary>
internal sealed class EphemeralStores(CookieStorage cookies, CredentialStorage credentials, UrlCache cache)
{
    private int _sessions;

    public CookieStorage Cookies { get; } = cookies;

    public CredentialStorage Credentials { get; } = credentials;

    public UrlCache Cache { get; } = cache;

    public void Retain() => Interlocked.Increment(ref _sessions);

    /// <summary>Empties those of <paramref name="services"/>' stores that are these, once no session uses them.</summary>
    public void Release(SessionServices services)
    {
        if (Interlocked.Decrement(ref _sessions) != 0)
        {
            return;
        }

        if (ReferenceEquals(services.HttpCookieStorage, Cookies))
        {
            Cookies.RemoveAll();
        }

        if (ReferenceEquals(services.UrlCache, Cache))
        {
            Cache.RemoveAllCachedResponses();
        }

        if (ReferenceEquals(services.UrlCredentialStorage, Credentials))
        {
            Credentials.RemoveAll();
        }
    }
}
