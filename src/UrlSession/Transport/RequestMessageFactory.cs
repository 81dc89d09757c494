using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace UrlSessions;

/// <summary>
/// Builds a fresh <see cref="HttpRequestMessage"/> for every send of an exchange's request: the session's additional
/// headers under the request's own, and what the stages added (cookies, a credential, Expect: 100-continue, the body).
/// </summary>
internal static class RequestMessageFactory
{
    public static HttpRequestMessage Create(ExchangeContext context, HeaderList defaultHeaders)
    {
        var request = context.Request;
        var originalUrl = context.OriginalUrl;
        var message = new HttpRequestMessage(request.Method, request.Url)
        {
            // HTTP/2 is negotiated by ALPN over TLS; plain http stays on HTTP/1.1. A protocol upgrade (Upgrade: websocket,
            // say) exists in HTTP/1.1 only (HTTP/2 forbids the header), so such a request never offers h2.
            Version = request.Headers.Contains("Upgrade") ? HttpVersion.Version11 : HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };

        // What the connection this message may open needs to know of its sender (whose delegate decides server trust).
        context.Host.AnnotateRequest(message);

        if (request.Body is { } body)
        {
            message.Content = new ProgressContent(body, context);
            if (context.ExpectContinue)
            {
                message.Headers.ExpectContinue = true;
            }
        }

        foreach (var (name, value) in request.Headers.Fields)
        {
            Add(message, name, value);
        }

        // The session's credentials and cookies set as additional headers stay with the origin the task started at,
        // like the request's own (a redirect elsewhere must not leak them).
        var crossOrigin = originalUrl is not null && !ReferenceEquals(originalUrl, request.Url) && !RedirectPolicy.SameOrigin(originalUrl, request.Url);
        foreach (var (name, value) in defaultHeaders.Fields)
        {
            if (!request.Headers.Contains(name) && !(crossOrigin && RedirectPolicy.IsOriginBound(name)))
            {
                Add(message, name, value);
            }
        }

        if (message.Content is { } content && content.Headers.ContentType is null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", request.Body!.DefaultContentType);
        }

        if (context.Credential is { User: { } user, Password: { } password })
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        if (context.CookieHeader is { } cookies)
        {
            message.Headers.TryAddWithoutValidation("Cookie", cookies);
        }

        return message;
    }

    private static void Add(HttpRequestMessage message, string name, string value)
    {
        if (message.Headers.TryAddWithoutValidation(name, value))
        {
            return;
        }

        // Content headers (Content-Type, …) belong to the content; without a body they have nothing to describe. The
        // content states its own Content-Length, which the caller's replaces (and is then held to); any other content
        // header may repeat.
        if (message.Content is { } content)
        {
            if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                content.Headers.Remove(name);
            }

            content.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
