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
    public static string? RequestCookieHeader(UrlRequest request, SessionSettings settings, SessionServices services) =>
        !Enabled(request, settings, services) || request.Headers.Contains("Cookie") ? null : services.HttpCookieStorage!.GetCookieHeader(request.Url);

    public static void StoreResponseCookies(UrlRequest request, HttpResponseMessage response, SessionSettings settings, SessionServices services)
    {
        if (!Enabled(request, settings, services) || settings.HttpCookieAcceptPolicy == CookieAcceptPolicy.Never
            || !response.Headers.NonValidated.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var value in values)
        {
            services.HttpCookieStorage!.SetCookies(request.Url, value);
        }
    }

    private static bool Enabled(UrlRequest request, SessionSettings settings, SessionServices services) =>
        settings.HttpShouldSetCookies && request.HttpShouldHandleCookies && services.HttpCookieStorage is not null;
}
