using System.IO.Compression;

namespace UrlSessions;

/// <summary>
/// The session decodes content codings itself (the handler's AutomaticDecompression is off: it added and parsed
/// Accept-Encoding on every request). Requests carry a pre-built <c>Accept-Encoding: gzip, deflate, br</c> unless
/// they set their own; a response body is wrapped by its <c>Content-Encoding</c>. The response's headers keep
/// Content-Encoding and Content-Length (the download resume logic needs to see that a coding was applied); its
/// <see cref="UrlResponse.ExpectedContentLength"/> is -1 then, since the decoded length is unknown.
/// Corrupt data throws <see cref="InvalidDataException"/>, which maps to <see cref="UrlErrorCode.CannotDecodeContentData"/>.
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
            return new BrotliStream(body, CompressionMode.Decompress);
        }

        return coding.Equals("identity", StringComparison.OrdinalIgnoreCase) ? body : null;
    }

    /// <summary>
    /// Decodes "deflate" whichever way the server framed it: a zlib header (RFC 1950) selects <see cref="ZLibStream"/>,
    /// anything else is read as raw deflate (RFC 1951). The decoder is chosen on the first read.
    /// </summary>
    private sealed class ZLibOrDeflateStream(Stream raw) : Stream
    {
        private readonly byte[] _head = new byte[2];
        private Stream? _decoder;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_decoder is null)
            {
                var length = 0;
                while (length < _head.Length && raw.Read(_head, length, _head.Length - length) is var read and > 0)
                {
                    length += read;
                }

                _decoder = Create(length);
            }

            return _decoder.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_decoder is null)
            {
                var length = 0;
                while (length < _head.Length && await raw.ReadAsync(_head.AsMemory(length), cancellationToken).ConfigureAwait(false) is var read and > 0)
                {
                    length += read;
                }

                _decoder = Create(length);
            }

            return await _decoder.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await (_decoder ?? raw).DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                (_decoder ?? raw).Dispose();
            }

            base.Dispose(disposing);
        }

        private Stream Create(int length)
        {
            var body = new PrefixedStream(_head.AsMemory(0, length), raw);
            return length == 2 && IsZLibHeader(_head[0], _head[1])
                ? new ZLibStream(body, CompressionMode.Decompress)
                : new DeflateStream(body, CompressionMode.Decompress);
        }

        // RFC 1950 §2.2: method 8 (deflate), a window of at most 32 KiB, and a check value making CMF·256 + FLG a multiple of 31.
        private static bool IsZLibHeader(byte cmf, byte flg) => (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
    }

    /// <summary>The bytes already read from a stream, then the rest of it.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) =>
            _prefix.IsEmpty || buffer.IsEmpty ? rest.Read(buffer) : TakePrefix(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _prefix.IsEmpty || buffer.IsEmpty ? rest.ReadAsync(buffer, cancellationToken) : new ValueTask<int>(TakePrefix(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await rest.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }

        private int TakePrefix(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..count].CopyTo(buffer);
            _prefix = _prefix[count..];
            return count;
        }
    }
}
