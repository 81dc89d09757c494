namespace UrlSessions.Samples.Fetch;

/// <summary>A write-only wrapper that paces writes to about <c>bytesPerSecond</c>, in 64 KiB pieces (self-test server only).</summary>
internal sealed class ThrottledStream(Stream inner, int bytesPerSecond) : Stream
{
    private const int Piece = 64 * 1024;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var piece = buffer[..Math.Min(Piece, buffer.Length)];
            await inner.WriteAsync(piece, cancellationToken);
            await inner.FlushAsync(cancellationToken);
            buffer = buffer[piece.Length..];
            await Task.Delay(TimeSpan.FromSeconds((double)piece.Length / bytesPerSecond), cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => throw new NotSupportedException("Kestrel allows asynchronous I/O only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Kestrel allows asynchronous I/O only.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
