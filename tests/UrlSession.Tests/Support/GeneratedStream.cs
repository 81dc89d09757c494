namespace UrlSessions.Tests.Support;

/// <summary>A body of any length generated on the fly: byte i is (i % 251), so order and content can be checked.</summary>
internal sealed class GeneratedStream(long length) : Stream
{
    public const int Period = 251;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    private static readonly byte[] Pattern = Enumerable.Range(0, Period * 1024).Select(i => (byte)(i % Period)).ToArray();

    /// <summary>Whether <paramref name="data"/> is what the body holds from <paramref name="offset"/> on.</summary>
    public static bool Matches(ReadOnlySpan<byte> data, long offset)
    {
        while (!data.IsEmpty)
        {
            var start = (int)(offset % Period);
            var n = Math.Min(data.Length, Pattern.Length - start);
            if (!data[..n].SequenceEqual(Pattern.AsSpan(start, n)))
            {
                return false;
            }

            data = data[n..];
            offset += n;
        }

        return true;
    }

    private static void Fill(Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var start = (int)(offset % Period);
            var n = Math.Min(buffer.Length, Pattern.Length - start);
            Pattern.AsSpan(start, n).CopyTo(buffer);
            buffer = buffer[n..];
            offset += n;
        }
    }

    public HttpResponseMessage Response()
    {
        var content = new StreamContent(this);
        content.Headers.ContentLength = length;
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content };
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        Fill(buffer[..count], _position);

        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
