using System.Buffers;
using System.IO.Pipelines;

namespace UrlSessions.Tests.Support;

/// <summary>
/// The client's end of an in-memory connection, as SocketsHttpHandler hands out after 101 Switching Protocols: it
/// reads what the test's "server" writes and writes what the server reads.
/// </summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly Pipe _toClient = new();
    private readonly Pipe _toServer = new();
    private readonly Stream _clientReads;
    private readonly Stream _clientWrites;
    private volatile bool _writesBroken;

    public DuplexPipeStream()
    {
        _clientReads = _toClient.Reader.AsStream();
        _clientWrites = _toServer.Writer.AsStream();
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>A 101 response whose content is this stream.</summary>
    public HttpResponseMessage SwitchingProtocols() => new(System.Net.HttpStatusCode.SwitchingProtocols) { Content = new DuplexContent(this) };

    public async Task ServerWriteAsync(byte[] bytes) => await _toClient.Writer.WriteAsync(bytes);

    public void ServerClose() => _toClient.Writer.Complete();

    /// <summary>From now on the client's writes fail as on a reset connection.</summary>
    public void BreakWrites() => _writesBroken = true;

    /// <summary>Reads exactly <paramref name="count"/> bytes the client wrote.</summary>
    public async Task<byte[]> ServerReadAsync(int count)
    {
        var result = await _toServer.Reader.ReadAtLeastAsync(count).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var bytes = result.Buffer.Slice(0, count).ToArray();
        _toServer.Reader.AdvanceTo(result.Buffer.GetPosition(count));
        return bytes;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _clientReads.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _clientReads.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _clientReads.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _writesBroken ? throw new IOException("Connection reset by peer.") : _clientWrites.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => _clientWrites.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _clientWrites.FlushAsync(cancellationToken);

    public override void Flush() => _clientWrites.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Hands out the duplex stream itself (StreamContent would wrap it read-only).</summary>
    private sealed class DuplexContent(Stream stream) : HttpContent
    {
        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(stream);

        protected override Task SerializeToStreamAsync(Stream target, System.Net.TransportContext? context) => stream.CopyToAsync(target);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
