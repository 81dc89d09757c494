namespace UrlSessions;

/// <summary>Turns an <see cref="HttpResponseMessage"/>'s status line and headers into an <see cref="HttpUrlResponse"/>.</summary>
internal static class ResponseFactory
{
    public static HttpUrlResponse Create(Uri url, HttpResponseMessage message)
    {
        var fields = new List<KeyValuePair<string, string>>(16);
        AddAll(fields, message.Headers.NonValidated);
        AddAll(fields, message.Content.Headers.NonValidated);
        return new HttpUrlResponse(url, (int)message.StatusCode, message.Version, HeaderList.From(fields));
    }

    private static void AddAll(List<KeyValuePair<string, string>> fields, System.Net.Http.Headers.HttpHeadersNonValidated headers)
    {
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                fields.Add(new(name, value));
            }
        }
    }
}
