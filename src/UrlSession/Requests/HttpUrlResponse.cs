using System.Net.Http.Headers;

namespace UrlSessions;

/// <summary>The metadata of an HTTP response: status, headers and protocol version.</summary>
public sealed class HttpUrlResponse : UrlResponse
{
    /// <summary>Creates an HTTP response description; MIME type, length and encoding come from the headers.</summary>
    /// <param name="url">The URL the response came from.</param>
    /// <param name="statusCode">The status code.</param>
    /// <param name="httpVersion">The protocol version.</param>
    /// <param name="headers">The response's header fields.</param>
    public HttpUrlResponse(Uri url, int statusCode, Version httpVersion, HeaderList headers)
        : this(url, statusCode, httpVersion, headers, ParseMediaType(headers))
    {
    }

    // Content-Type is parsed once (it used to be parsed twice per response).
    private HttpUrlResponse(Uri url, int statusCode, Version httpVersion, HeaderList headers, (string? MediaType, string? CharSet) mediaType)
        : base(url, mediaType.MediaType, ParseLength(headers), mediaType.CharSet)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        ArgumentNullException.ThrowIfNull(httpVersion);
        ArgumentNullException.ThrowIfNull(headers);
        StatusCode = statusCode;
        HttpVersion = httpVersion;
        Headers = headers;
    }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>The response's header fields (names case-insensitive).</summary>
    public HeaderList Headers { get; }

    /// <summary>The protocol version the response arrived with (1.1, 2.0, …).</summary>
    public Version HttpVersion { get; }

    /// <inheritdoc />
    public override string SuggestedFilename =>
        FileNames.FromContentDisposition(Headers["Content-Disposition"]) is { } name
            ? FileNames.Sanitize(name)
            : base.SuggestedFilename;

    /// <summary>A short, lower-case English phrase for a status code (as NSHTTPURLResponse gives).</summary>
    /// <param name="statusCode">The status code.</param>
    public static string LocalizedStringForStatusCode(int statusCode) => StatusPhrases.For(statusCode);

    private static (string? MediaType, string? CharSet) ParseMediaType(HeaderList headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var contentType = headers["Content-Type"];
        if (MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return (parsed.MediaType, parsed.CharSet?.Trim('"'));
        }

        return contentType is null ? default : ParseLeniently(contentType);
    }

    /// <summary>
    /// A Content-Type the strict parser refuses only for a stray or empty parameter (<c>text/html; charset=utf-8;</c>,
    /// <c>application/json;</c>, <c>charset=</c>) still names its type and charset, as browsers and URLSession read it.
    /// </summary>
    private static (string? MediaType, string? CharSet) ParseLeniently(string contentType)
    {
        var parts = contentType.Split(';', StringSplitOptions.TrimEntries);
        var type = parts[0];
        var slash = type.IndexOf('/', StringComparison.Ordinal);
        // type "/" subtype, both tokens (RFC 9110 §8.3.1); a token holds no '/', space or other separator.
        if (slash < 0 || HeaderValidation.FindProblem(type[..slash], "") is not null || HeaderValidation.FindProblem(type[(slash + 1)..], "") is not null)
        {
            return default;
        }

        string? charset = null;
        foreach (var parameter in parts.AsSpan(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && parameter.AsSpan(0, equals).Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                var value = parameter[(equals + 1)..].Trim().Trim('"');
                charset = value.Length == 0 ? null : value;
                break;
            }
        }

        return (type, charset);
    }

    // With a content coding, Content-Length is the coded size, not the length of the body delivered (decoded).
    private static long ParseLength(HeaderList? headers) =>
        headers is not null && ContentDecoding.IsEncoded(headers) ? -1 :
        long.TryParse(headers?["Content-Length"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) ? length : -1;
}
