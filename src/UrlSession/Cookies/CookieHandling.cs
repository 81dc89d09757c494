namespace UrlSessions;

/// <summary>Adds stored cookies to requests and stores response cookies, per configuration and request.</summary>
/// <remarks>
/// Cookies come from the storage by the URL being requested, so a redirect to another origin gets only
/// that origin's cookies. <see cref="CookieAcceptPolicy.OnlyFromMainDocumentDomain"/> is treated as
/// <see cref="CookieAcceptPolicy.Always"/> because tasks have no main document URL.
/// </remarks>
internal static class CookieHandling
{
    /// <summary>The Cookie header the storage has for the request's URL, or null (none, cookies off, or the request sets its own).</summary>
    public static string? RequestCookieHeader(UrlRequest request, SessionConfiguration settings) =>
        !Enabled(request, settings) || request.Headers.Contains("Cookie") ? null : settings.HttpCookieStorage!.GetCookieHeader(request.Url);

    public static void StoreResponseCookies(UrlRequest request, HttpResponseMessage response, SessionConfiguration settings)
    {
        if (!Enabled(request, settings) || settings.HttpCookieAcceptPolicy == CookieAcceptPolicy.Never
            || !response.Headers.NonValidated.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var value in values)
        {
            settings.HttpCookieStorage!.SetCookies(request.Url, value);
        }
    }

    private static bool Enabled(UrlRequest request, SessionConfiguration settings) =>
        settings.HttpShouldSetCookies && request.HttpShouldHandleCookies && settings.HttpCookieStorage is not null;
}
