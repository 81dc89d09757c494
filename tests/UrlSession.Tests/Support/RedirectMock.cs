using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Support;

/// <summary>What a mock endpoint received: method, body and headers (content headers included), read while the request was alive.</summary>
internal sealed record Received(HttpMethod Method, Uri Url, string? Body, string? ContentType, IReadOnlyDictionary<string, string> Headers);

internal static class RedirectMock
{
    public static HttpResponseMessage Redirect(int status, string location)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent($"redirect {status}") };
        response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return response;
    }

    /// <summary>Answers <paramref name="url"/> with <paramref name="answer"/> and records every request it got.</summary>
    public static ConcurrentQueue<Received> Record(this MockHttpMessageHandler mock, string url, Func<HttpResponseMessage> answer)
    {
        var received = new ConcurrentQueue<Received>();
        mock.When(url).Respond(async request =>
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync();
            var fields = request.Content is null ? request.Headers : request.Headers.Concat(request.Content.Headers);
            var headers = fields.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            received.Enqueue(new Received(request.Method, request.RequestUri!, body, request.Content?.Headers.ContentType?.ToString(), headers));
            return answer();
        });
        return received;
    }
}
