using System.IO.Compression;

namespace UrlSessions;

/// <summary>
/// The session decodes content codings itself (the handler's AutomaticDecompression is off: it added and parsed
/// Accept-Encoding on every request). Requests carry a pre-built <c>Accept-Encoding: gzip, deflate, br</c> unless
/// they set their own; a response body is wrapped by its <c>Content-Encoding</c>. The response's headers keep
/// Content-Encoding and Content-Length (the download resume logic needs to see that a coding was applied); its
/// <see cref="UrlResponse.ExpectedContentLength"/> is -1 then, since the decoded length is unknown.
/// Corrupt data throws <see cref="InvalidDataException"/>, which maps to <see cref="UrlErrorCode.CannotDecodeContentData"/>.
/// A truncated "br" body is corrupt data too (<see cref="BrotliDecodingStream"/>). A truncated gzip or deflate body is
/// not caught: GZipStream and DeflateStream report it only under a process-wide AppContext switch, and neither says
/// where its deflate data ended, so a gzip trailer check could not find the members of a concatenated body.
/// </summary>
internal static class ContentDecoding
{
    public const string AcceptEncodingHeader = "Accept-Encoding";

    /// <summary>The codings the session can decode, in the order offered.</summary>
    public const string AcceptEncodingValue = "gzip, deflate, br";

    /// <summary>True when the header fields name a content coding other than identity.</summary>
    public static bool IsEncoded(HeaderList headers)
    {
        foreach (var value in headers.GetValues("Content-Encoding"))
        {
            foreach (var coding in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Opens the response body. System.Net.Http's own contents (the handler's response content, StreamContent,
    /// ByteArrayContent, empty content) hand out their stream without waiting, so the synchronous call is used for
    /// them: <c>ReadAsStreamAsync</c> would allocate a <c>Task&lt;Stream&gt;</c> per response. Other contents (a custom
    /// handler's) are opened asynchronously.
    /// </summary>
    public static ValueTask<Stream> OpenAsync(HttpContent content, CancellationToken cancellationToken) =>
        content.GetType().Assembly == typeof(HttpContent).Assembly
            ? new ValueTask<Stream>(content.ReadAsStream(cancellationToken))
            : new ValueTask<Stream>(content.ReadAsStreamAsync(cancellationToken));

    /// <summary>
    /// The body to read: <paramref name="raw"/> itself when the content has no coding the session decodes (no
    /// allocation), else decoders applied in reverse order of the codings listed. A coding the session does not know
    /// leaves the body as it came (as SocketsHttpHandler did).
    /// </summary>
    public static Stream Decode(HttpContent content, Stream raw)
    {
        if (!content.Headers.NonValidated.TryGetValues("Content-Encoding", out var values))
        {
            return raw;
        }

        var codings = new List<string>();
        foreach (var value in values)
        {
            codings.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        // Applied in the order listed, so undone last-first; stop at the first unknown one.
        var body = raw;
        for (var i = codings.Count - 1; i >= 0; i--)
        {
            var decoded = Decoder(codings[i], body);
            if (decoded is null)
            {
                break;
            }

            body = decoded;
        }

        return body;
    }

    private static Stream? Decoder(string coding, Stream body)
    {
        if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            return new GZipStream(body, CompressionMode.Decompress);
        }

        if (coding.Equals("deflate", StringComparison.OrdinalIgnoreCase))
        {
            // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), but many servers send a bare RFC 1951 stream;
            // browsers and SocketsHttpHandler's own decompression accept both, told apart by the first two bytes.
            return new ZLibOrDeflateStream(body);
        }

        if (coding.Equals("br", StringComparison.OrdinalIgnoreCase))
        {
            // Not BrotliStream: it lets a truncated body through as a shorter one.
            return new BrotliDecodingStream(body);
        }

        return coding.Equals("identity", StringComparison.OrdinalIgnoreCase) ? body : null;
    }
}
