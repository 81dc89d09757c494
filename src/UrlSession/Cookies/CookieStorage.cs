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

    /// <summary>Stores the cookies of a Set-Cookie header value received from a URL; malformed cookies are ignored.</summary>
    /// <param name="url">The URL the header came from.</param>
    /// <param name="setCookieHeader">One Set-Cookie header value.</param>
    public void SetCookies(Uri url, string setCookieHeader)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(setCookieHeader);
        try
        {
            Volatile.Read(ref _container).SetCookies(url, setCookieHeader);
        }
        catch (CookieException)
        {
            // A server's malformed cookie is its problem, not the task's: browsers ignore it too.
        }
    }

    /// <summary>Removes every cookie.</summary>
    public void RemoveAll() => Volatile.Write(ref _container, new CookieContainer());

    /// <summary>The Cookie header value for a URL, or null when no cookie applies.</summary>
    internal string? GetCookieHeader(Uri url)
    {
        var header = Volatile.Read(ref _container).GetCookieHeader(url);
        return header.Length == 0 ? null : header;
    }
}
