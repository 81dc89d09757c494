namespace UrlSessions;

/// <summary>Turns an <see cref="HttpResponseMessage"/>'s status line and headers into an <see cref="HttpUrlResponse"/>.</summary>
internal static class ResponseFactory
{
    public static HttpUrlResponse Create(Uri url, HttpResponseMessage message)
    {
        // Count first, then fill one exact array that the HeaderList owns: no growing list, no copy.
        var headers = message.Headers.NonValidated;
        var contentHeaders = message.Content.Headers.NonValidated;
        var fields = new KeyValuePair<string, string>[Count(headers) + Count(contentHeaders)];
        var index = AddAll(fields, 0, headers);
        AddAll(fields, index, contentHeaders);
        return new HttpUrlResponse(url, (int)message.StatusCode, message.Version, HeaderList.Wrap(fields));
    }

    private static int Count(System.Net.Http.Headers.HttpHeadersNonValidated headers)
    {
        var count = 0;
        foreach (var (_, values) in headers)
        {
            count += values.Count;
        }

        return count;
    }

    private static int AddAll(KeyValuePair<string, string>[] fields, int index, System.Net.Http.Headers.HttpHeadersNonValidated headers)
    {
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                fields[index++] = new(name, value);
            }
        }

        return index;
    }
}
