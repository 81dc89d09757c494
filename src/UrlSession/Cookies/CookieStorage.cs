using System.Net;

namespace UrlSessions;

/// <summary>
/// A thread-safe cookie jar shared by the sessions whose configuration names it. Cookies follow RFC 6265
/// domain and path matching (through <see cref="CookieContainer"/>).
/// </summary>
/// <remarks>This version keeps cookies in memory; disk persistence for default sessions arrives with the cookies issue.</remarks>
public sealed class CookieStorage
{
    private CookieContainer _container = new();

    /// <summary>The process-wide storage that default configurations use.</summary>
    public static CookieStorage Shared { get; } = new();

    /// <summary>How many cookies are stored.</summary>
    public int Count => Volatile.Read(ref _container).Count;

    /// <summary>The cookies that would be sent to a URL.</summary>
    /// <param name="url">An absolute http or https URL.</param>
    public IReadOnlyList<Cookie> GetCookies(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new List<Cookie>(Volatile.Read(ref _container).GetCookies(url));
    }

    /// <summary>Stores a cookie.</summary>
    /// <param name="cookie">The cookie; it must name its domain.</param>
    public void SetCookie(Cookie cookie)
    {
        ArgumentNullException.ThrowIfNull(cookie);
        Volatile.Read(ref _container).Add(cookie);
    }

    /// <summary>
    /// Stores the cookies of a Set-Cookie header value received from a URL; malformed cookies, and a header setting a
    /// Secure cookie from a URL that is not https, are ignored.
    /// </summary>
    /// <param name="url">The URL the header came from.</param>
    /// <param name="setCookieHeader">One Set-Cookie header value.</param>
    public void SetCookies(Uri url, string setCookieHeader)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(setCookieHeader);
        try
        {
            if (url.Scheme != Uri.UriSchemeHttps && SetsSecureCookie(url, setCookieHeader))
            {
                // RFC 6265bis §5.7: a response that did not come over a secure connection cannot set a Secure cookie
                // (an attacker on the wire could otherwise plant one that is then sent to the https site).
                return;
            }

            Volatile.Read(ref _container).SetCookies(url, setCookieHeader);
        }
        catch (CookieException)
        {
            // A server's malformed cookie is its problem, not the task's: browsers ignore it too.
        }
    }

    /// <summary>Removes every cookie.</summary>
    public void RemoveAll() => Volatile.Write(ref _container, new CookieContainer());

    private static bool SetsSecureCookie(Uri url, string setCookieHeader)
    {
        if (!setCookieHeader.Contains("secure", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parsed = new CookieContainer();
        parsed.SetCookies(url, setCookieHeader);
        foreach (Cookie cookie in parsed.GetAllCookies())
        {
            if (cookie.Secure)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The Cookie header value for a URL, or null when no cookie applies.</summary>
    internal string? GetCookieHeader(Uri url)
    {
        var header = Volatile.Read(ref _container).GetCookieHeader(url);
        return header.Length == 0 ? null : header;
    }
}
