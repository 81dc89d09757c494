namespace UrlSessions;

/// <summary>
/// Whether a download can be resumed, decided from its request and response: a GET, a strong ETag or a
/// Last-Modified date (RFC 9110 §13.1.5: If-Range needs a strong validator), byte ranges accepted, and the
/// bytes on disk equal to the bytes on the wire (no content coding decoded on the way).
/// </summary>
internal sealed record ResumeValidators(string? ETag, string? LastModified, bool Resumable)
{
    /// <param name="request">The original request.</param>
    /// <param name="response">The final response.</param>
    /// <param name="message">Its message (to tell a decoded body).</param>
    /// <param name="answeredIfRange">For a 206 that continues a blob: the blob, whose validator the server just matched (If-Range).</param>
    public static ResumeValidators From(UrlRequest request, HttpUrlResponse response, HttpResponseMessage message, ResumeData? answeredIfRange = null)
    {
        var etag = response.Headers["ETag"];
        var strongETag = etag is not null && !etag.StartsWith("W/", StringComparison.Ordinal) ? etag : null;
        var lastModified = response.Headers["Last-Modified"];
        if (answeredIfRange is not null && strongETag is null && lastModified is null)
        {
            // A 206 without validators (RFC 9110 §15.3.7 asks for them, not every server sends them): the server sent
            // it because the blob's validator matched, so that validator still describes the file on disk.
            strongETag = answeredIfRange.ETag;
            lastModified = answeredIfRange.LastModified;
        }

        var acceptsRanges = response.StatusCode == 206
            || response.Headers.GetValues("Accept-Ranges").Any(v => v.Contains("bytes", StringComparison.OrdinalIgnoreCase));

        // The session decodes content codings itself and keeps Content-Encoding in the response's headers.
        var decoded = ContentDecoding.IsEncoded(response.Headers);
        var resumable = request.Method == HttpMethod.Get && (strongETag ?? lastModified) is not null && acceptsRanges && !decoded
            && response.StatusCode is 200 or 206;
        return new ResumeValidators(strongETag, lastModified, resumable);
    }
}
