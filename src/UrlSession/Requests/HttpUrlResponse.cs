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
    private HttpUrlResponse(Uri url, int statusCode, Version httpVersion, HeaderList headers, MediaTypeHeaderValue? mediaType)
        : base(url, mediaType?.MediaType, ParseLength(headers), mediaType?.CharSet?.Trim('"'))
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

    private static MediaTypeHeaderValue? ParseMediaType(HeaderList headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return MediaTypeHeaderValue.TryParse(headers["Content-Type"], out var parsed) ? parsed : null;
    }

    // With a content coding, Content-Length is the coded size, not the length of the body delivered (decoded).
    private static long ParseLength(HeaderList? headers) =>
        headers is not null && ContentDecoding.IsEncoded(headers) ? -1 :
        long.TryParse(headers?["Content-Length"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) ? length : -1;
}
