namespace UrlSessions;

/// <summary>A <see cref="UrlRequest"/> written down field by field: every per-request setting, headers in order with repeats.</summary>
internal sealed class RequestSpec
{
    /// <summary>The URL as it was given (<see cref="Uri.OriginalString"/>).</summary>
    public required Uri Url { get; init; }

    public required string Method { get; init; }

    public required IReadOnlyList<HeaderFieldSpec> Headers { get; init; }

    public BodySpec? Body { get; init; }

    public RequestCachePolicy? CachePolicy { get; init; }

    public TimeSpan? TimeoutInterval { get; init; }

    public bool HttpShouldHandleCookies { get; init; } = true;

    /// <exception cref="ArgumentException">The request's body is a stream.</exception>
    public static RequestSpec From(UrlRequest request)
    {
        var fields = request.Headers.Fields;
        var headers = new HeaderFieldSpec[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            headers[i] = new() { Name = fields[i].Key, Value = fields[i].Value };
        }

        return new()
        {
            Url = request.Url,
            Method = request.Method.Method,
            Headers = headers,
            Body = BodySpec.From(request.Body),
            CachePolicy = request.CachePolicy,
            TimeoutInterval = request.TimeoutInterval,
            HttpShouldHandleCookies = request.HttpShouldHandleCookies,
        };
    }

    /// <summary>Rebuilds the request; throws (argument or format errors) when a field cannot be one.</summary>
    public UrlRequest ToRequest()
    {
        var headers = new KeyValuePair<string, string>[Headers.Count];
        for (var i = 0; i < headers.Length; i++)
        {
            var field = Headers[i] ?? throw new FormatException("a header field is null");
            headers[i] = new(field.Name, field.Value);
        }

        if (CachePolicy is { } policy)
        {
            EnumArgument.Defined(policy);
        }

        return new UrlRequest(Url)
        {
            Method = new HttpMethod(Method),
            Headers = HeaderList.Wrap(headers),
            Body = Body?.ToBody(),
            CachePolicy = CachePolicy,
            TimeoutInterval = TimeoutInterval,
            HttpShouldHandleCookies = HttpShouldHandleCookies,
        };
    }
}
