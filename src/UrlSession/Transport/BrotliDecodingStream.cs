using System.Buffers;
using System.IO.Compression;

namespace UrlSessions;

/// <summary>
/// Decodes a "br" body with <see cref="BrotliDecoder"/> and, unlike <see cref="BrotliStream"/>, fails a body that ends
/// before the Brotli stream does: BrotliStream reports truncation only under the process-wide AppContext switch
/// System.IO.Compression.UseStrictValidation, which a library must not set. Truncated or corrupt data throws
/// <see cref="InvalidDataException"/> (mapped to <see cref="UrlErrorCode.CannotDecodeContentData"/>). An empty body is
/// empty, as for the other codings (HEAD, 204 and 304 responses can name a coding and carry nothing). Bytes after the
/// end of the Brotli stream are ignored, as BrotliStream did. Decoded bytes go straight into the caller's buffer; only
/// the coded input is staged, in a pooled buffer rented on the first read.
/// </summary>
internal sealed class BrotliDecodingStream(Stream source) : Stream
{
    /// <summary>BrotliStream's own input buffer size: large enough that a fast connection needs few source reads.</summary>
    internal const int InputBufferSize = 64 * 1024;

    // A mutable struct holding native state: never readonly, or each call would work on a fresh copy.
    private BrotliDecoder _decoder;
    private byte[]? _input;
    private int _start;
    private int _end;
    private bool _anyInput;
    private bool _done;
    private bool _disposed;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (TryDecode(buffer, out var written))
            {
                return written;
            }

            if (!Refilled(source.Read(InputSpace())))
            {
                return 0;
            }
        }
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        // Most reads are served from input already staged: no async state machine for them. Corrupt data faults the
        // returned task, as an async read's failure should, rather than throwing from the call.
        try
        {
            return TryDecode(buffer.Span, out var written) ? new ValueTask<int>(written) : ReadSlowAsync(buffer, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            Release();
            await source.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            Release();
            source.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadSlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!Refilled(await source.ReadAsync(InputMemory(), cancellationToken).ConfigureAwait(false)))
            {
                return 0;
            }

            if (TryDecode(buffer.Span, out var written))
            {
                return written;
            }
        }
    }

    /// <summary>
    /// Decodes staged input into <paramref name="destination"/>: true with the count written (0 at the end of the
    /// stream), false when the decoder needs more input before it can write anything.
    /// </summary>
    private bool TryDecode(Span<byte> destination, out int written)
    {
        if (_done || destination.IsEmpty)
        {
            written = 0;
            return true;
        }

        // Called with no staged input too: output the decoder holds back for want of room is written from its window.
        var status = _decoder.Decompress(_input.AsSpan(_start, _end - _start), destination, out var consumed, out written);
        _start += consumed;
        switch (status)
        {
            case OperationStatus.Done:
                _done = true;
                return true;
            case OperationStatus.InvalidData:
                throw new InvalidDataException("The br (Brotli) coded body is corrupt.");
            default:
                // NeedMoreData, or DestinationTooSmall after filling the destination (it is not empty here).
                return written > 0;
        }
    }

    private Span<byte> InputSpace() => InputMemory().Span;

    /// <summary>Room for the next source read, after what the decoder has not taken yet.</summary>
    private Memory<byte> InputMemory()
    {
        _input ??= ArrayPool<byte>.Shared.Rent(InputBufferSize);
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > 0)
        {
            // The decoder takes all input it is given before asking for more, so this is a rare short move.
            _input.AsSpan(_start, _end - _start).CopyTo(_input);
            _end -= _start;
            _start = 0;
        }

        return _input.AsMemory(_end);
    }

    /// <summary>Adds a source read to the staged input; at the source's end, false for an empty body, else throws.</summary>
    private bool Refilled(int read)
    {
        if (read > 0)
        {
            _end += read;
            _anyInput = true;
            return true;
        }

        if (_anyInput)
        {
            throw new InvalidDataException("The br (Brotli) coded body ended before its Brotli stream did: it is truncated.");
        }

        _done = true;
        return false;
    }

    private void Release()
    {
        _disposed = true;
        _decoder.Dispose();
        if (_input is { } input)
        {
            _input = null;
            ArrayPool<byte>.Shared.Return(input);
        }
    }
}
