namespace UrlSessions;

/// <summary>
/// Builds the request a redirect proposes, with URLSession's method rules (RFC 9110 §15.4): 303 turns
/// anything but HEAD into a GET without body, 301/302 turn POST into GET, 307/308 keep method and body.
/// Credentials and cookies set on the request never travel to another origin.
/// </summary>
internal static class RedirectPolicy
{
    private static readonly string[] OriginBoundHeaders = ["Authorization", "Cookie", "Proxy-Authorization"];
    private static readonly string[] BodyHeaders = ["Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range", "Transfer-Encoding"];

    public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    public static UrlRequest Propose(UrlRequest request, int status, Uri location, SessionSettings settings)
    {
        // Relative and protocol-relative ("//host/path") locations resolve against the URL that answered.
        Uri target;
        try
        {
            target = location.IsAbsoluteUri ? location : new Uri(request.Url, location);
        }
        catch (UriFormatException ex)
        {
            throw new UrlError(UrlErrorCode.RedirectToNonExistentLocation, $"{UrlText.Safe(request.Url)} redirected to '{UrlText.Safe(location)}', which is not a valid URL.", request.Url, ex);
        }

        if (target.Fragment.Length == 0 && request.Url.Fragment.Length > 0)
        {
            // RFC 9110 §10.2.2: the original fragment carries over when the Location has none.
            target = new UriBuilder(target) { Fragment = request.Url.Fragment.TrimStart('#') }.Uri;
        }

        if (request.Url.Scheme == Uri.UriSchemeHttps && target.Scheme == Uri.UriSchemeHttp && !settings.AllowsInsecureRedirects)
        {
            throw new UrlError(
                UrlErrorCode.AppTransportSecurityRequiresSecureConnection,
                $"{UrlText.Safe(request.Url)} redirected to the insecure {UrlText.Safe(target)}; set SessionConfiguration.AllowsInsecureRedirects to follow https → http redirects.",
                request.Url);
        }

        var proposed = request with { Url = target };
        if (ChangesToGet(status, request.Method))
        {
            var headers = proposed.Headers;
            foreach (var name in BodyHeaders)
            {
                headers = headers.Without(name);
            }

            proposed = proposed with { Method = HttpMethod.Get, Body = null, Headers = headers };
        }

        if (!SameOrigin(request.Url, target))
        {
            var headers = proposed.Headers;
            foreach (var name in OriginBoundHeaders)
            {
                headers = headers.Without(name);
            }

            proposed = proposed with { Headers = headers };
        }

        return proposed;
    }

    private static bool ChangesToGet(int status, HttpMethod method) => status switch
    {
        303 => method != HttpMethod.Head,
        301 or 302 => method == HttpMethod.Post,
        _ => false,
    };

    public static bool IsOriginBound(string headerName) =>
        Array.Exists(OriginBoundHeaders, h => h.Equals(headerName, StringComparison.OrdinalIgnoreCase));

    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
