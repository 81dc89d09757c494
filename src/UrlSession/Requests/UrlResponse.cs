namespace UrlSessions;

/// <summary>The metadata of a response, independent of protocol: URL, MIME type, length and encoding.</summary>
public class UrlResponse
{
    /// <summary>Creates a response description.</summary>
    /// <param name="url">The URL the response came from (after redirects).</param>
    /// <param name="mimeType">The MIME type, without parameters, or null.</param>
    /// <param name="expectedContentLength">The body's expected length, or -1 when unknown.</param>
    /// <param name="textEncodingName">The charset, or null.</param>
    public UrlResponse(Uri url, string? mimeType, long expectedContentLength, string? textEncodingName)
    {
        ArgumentNullException.ThrowIfNull(url);
        Url = url;
        MimeType = mimeType;
        ExpectedContentLength = expectedContentLength < 0 ? -1 : expectedContentLength;
        TextEncodingName = textEncodingName;
    }

    /// <summary>The URL the response came from (after redirects).</summary>
    public Uri Url { get; }

    /// <summary>The MIME type without parameters (for example <c>text/html</c>), or null.</summary>
    public string? MimeType { get; }

    /// <summary>The body's expected length in bytes, or -1 when unknown.</summary>
    public long ExpectedContentLength { get; }

    /// <summary>The charset the body declares, or null.</summary>
    public string? TextEncodingName { get; }

    /// <summary>
    /// A safe file name for the body: from Content-Disposition when present, else the URL's last path
    /// segment, else "Unknown"; never holds path separators, "..", control characters or reserved names.
    /// </summary>
    public virtual string SuggestedFilename => FileNames.Sanitize(FileNames.LastSegment(Url));
}
