using System.IO.Pipelines;

namespace UrlSessions;

/// <summary>The body stream BytesAsync hands to the caller: reads from the task's pipe; disposing it early cancels the task.</summary>
internal sealed class CallerBodyStream(PipeReader reader) : Stream
{
    private readonly Stream _inner = reader.AsStream(leaveOpen: true);
    private int _disposed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("The body's length is not known in advance; see the response's ExpectedContentLength.");

    public override long Position
    {
        get => throw new NotSupportedException("A network body stream has no position.");
        set => throw new NotSupportedException("A network body stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A network body stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A network body stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A network body stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Completing the reader tells the pump nobody reads any more; a pump still filling then cancels the task.
            reader.Complete();
        }

        base.Dispose(disposing);
    }
}
