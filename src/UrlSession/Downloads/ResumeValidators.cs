namespace UrlSessions;

/// <summary>
/// Whether a download can be resumed, decided from its request and response: a GET, a strong ETag or a
/// Last-Modified date (RFC 9110 §13.1.5: If-Range needs a strong validator), byte ranges accepted, and the
/// bytes on disk equal to the bytes on the wire (no content coding decoded on the way).
/// </summary>
internal sealed record ResumeValidators(string? ETag, string? LastModified, bool Resumable)
{
    public static ResumeValidators From(UrlRequest request, HttpUrlResponse response, HttpResponseMessage message)
    {
        var etag = response.Headers["ETag"];
        var strongETag = etag is not null && !etag.StartsWith("W/", StringComparison.Ordinal) ? etag : null;
        var lastModified = response.Headers["Last-Modified"];
        var acceptsRanges = response.StatusCode == 206
            || response.Headers.GetValues("Accept-Ranges").Any(v => v.Contains("bytes", StringComparison.OrdinalIgnoreCase));

        // The session decodes content codings itself and keeps Content-Encoding in the response's headers.
        var decoded = ContentDecoding.IsEncoded(response.Headers);
        var resumable = request.Method == HttpMethod.Get && (strongETag ?? lastModified) is not null && acceptsRanges && !decoded
            && response.StatusCode is 200 or 206;
        return new ResumeValidators(strongETag, lastModified, resumable);
    }
}
