using System.IO.Compression;

namespace UrlSessions;

/// <summary>
/// Decodes "deflate" whichever way the server framed it: a zlib header (RFC 1950) selects <see cref="ZLibStream"/>,
/// anything else is read as raw deflate (RFC 1951). The decoder is chosen on the first read.
/// </summary>
internal sealed class ZLibOrDeflateStream(Stream raw) : Stream
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
