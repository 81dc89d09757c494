using System.Text;

namespace UrlSessions;

/// <summary>
/// An immutable description of one HTTP request: URL, method, headers, body and per-request policy.
/// Change it with <c>with</c> expressions or <see cref="WithHeader"/>. Unlike <see cref="HttpRequestMessage"/>,
/// a request can be sent again (redirects, retries) because a fresh message is built for every send.
/// </summary>
public sealed record UrlRequest
{
    private readonly Uri _url;
    private readonly HttpMethod _method = HttpMethod.Get;
    private readonly HeaderList _headers = HeaderList.Empty;
    private readonly TimeSpan? _timeoutInterval;

    /// <summary>Creates a GET request for a URL.</summary>
    /// <param name="url">The URL; a relative URL or an unsupported scheme fails the task (not this constructor).</param>
    public UrlRequest(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        _url = url;
    }

    /// <summary>Creates a GET request for a URL.</summary>
    /// <param name="url">The URL.</param>
    public static implicit operator UrlRequest(Uri url) => new(url);

    /// <summary>The URL to load.</summary>
    public Uri Url
    {
        get => _url;
        init => _url = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The HTTP method; GET by default.</summary>
    public HttpMethod Method
    {
        get => _method;
        init => _method = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The request's own header fields; they win over the session's additional headers.</summary>
    public HeaderList Headers
    {
        get => _headers;
        init => _headers = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The body to send, or null for none.</summary>
    public RequestBody? Body { get; init; }

    /// <summary>This request's cache policy; null uses the session's.</summary>
    public RequestCachePolicy? CachePolicy { get; init; }

    /// <summary>This request's idle timeout between bytes; null uses the session's <see cref="SessionConfiguration.TimeoutIntervalForRequest"/>.</summary>
    public TimeSpan? TimeoutInterval
    {
        get => _timeoutInterval;
        init => _timeoutInterval = value is { } timeout ? TimeoutArgument.Validate(timeout) : null;
    }

    /// <summary>Whether the session adds stored cookies to this request and stores the response's cookies; true by default.</summary>
    public bool HttpShouldHandleCookies { get; init; } = true;

    /// <summary>Returns a copy of this request whose header of this name has exactly this value.</summary>
    /// <param name="name">The header name (case-insensitive).</param>
    /// <param name="value">The value.</param>
    public UrlRequest WithHeader(string name, string value) => this with { Headers = Headers.With(name, value) };

    /// <summary>Whether both requests have the same values; headers compare field by field, in order (names case-insensitively).</summary>
    /// <param name="other">The other request.</param>
    public bool Equals(UrlRequest? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (_url.Equals(other._url)
                && _method.Equals(other._method)
                && SameFields(_headers, other._headers)
                && Equals(Body, other.Body)
                && CachePolicy == other.CachePolicy
                && _timeoutInterval == other._timeoutInterval
                && HttpShouldHandleCookies == other.HttpShouldHandleCookies));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_url);
        hash.Add(_method);
        foreach (var (name, value) in _headers.Fields)
        {
            hash.Add(name, StringComparer.OrdinalIgnoreCase);
            hash.Add(value, StringComparer.Ordinal);
        }

        hash.Add(Body);
        hash.Add(CachePolicy);
        hash.Add(_timeoutInterval);
        hash.Add(HttpShouldHandleCookies);
        return hash.ToHashCode();
    }

    // The generated ToString printed the URL whole: requests reach logs (directly, or inside TransactionMetrics), so the
    // URL leaves out its user-info, as UrlText.Safe does everywhere else (HeaderList already leaves out header values).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Url = ").Append(UrlText.Safe(_url))
            .Append(", Method = ").Append(_method)
            .Append(", Headers = ").Append(_headers)
            .Append(", Body = ").Append(Body)
            .Append(", CachePolicy = ").Append(CachePolicy)
            .Append(", TimeoutInterval = ").Append(_timeoutInterval)
            .Append(", HttpShouldHandleCookies = ").Append(HttpShouldHandleCookies);
        return true;
    }

    private static bool SameFields(HeaderList left, HeaderList right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        var a = left.Fields;
        var b = right.Fields;
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.OrdinalIgnoreCase) || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
