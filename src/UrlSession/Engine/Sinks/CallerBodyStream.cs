using System.Buffers;
using System.IO.Pipelines;

namespace UrlSessions;

/// <summary>
/// The body stream BytesAsync hands to the caller: reads from the task's pipe; disposing it early cancels the task.
/// Every read reports the bytes it took out of the pipe, so the task's buffered-bytes count stays true.
/// </summary>
internal sealed class CallerBodyStream(PipeReader reader, DataTask task) : Stream
{
    private int _disposed;

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("The body's length is not known in advance; see the response's ExpectedContentLength.");

    public override long Position
    {
        get => throw new NotSupportedException("A network body stream has no position.");
        set => throw new NotSupportedException("A network body stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The Stream contract; the completed pipe reader would throw an InvalidOperationException about pipes.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            // A failed task completed the writer with its UrlError, which this read throws.
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var available = result.Buffer;
            if (available.IsEmpty)
            {
                reader.AdvanceTo(available.End);
                if (result.IsCompleted)
                {
                    return 0;
                }

                continue;
            }

            var taken = available.Slice(0, Math.Min(buffer.Length, available.Length));
            taken.CopyTo(buffer.Span);
            var count = (int)taken.Length;

            // Uncount before advancing: advancing lets the pump write again, and its count must not overtake ours.
            task.NoteBuffered(-count);
            reader.AdvanceTo(taken.End);
            return count;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
            var ended = BodyEnded();

            // Completing the reader tells the pump nobody reads any more, but only at its next flush: a pump waiting
            // on a quiet server (or a suspension) would not see it until the server sent more, so cancel now.
            reader.Complete();
            if (!ended)
            {
                task.Cancel();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>True when the pump already completed the pipe: the whole body arrived (or the task failed).</summary>
    private bool BodyEnded()
    {
        try
        {
            if (!reader.TryRead(out var result))
            {
                return false;
            }

            reader.AdvanceTo(result.Buffer.Start);
            return result.IsCompleted;
        }
        catch (UrlError)
        {
            // The pump completed the pipe with the task's error: the task is failing already.
            return true;
        }
        catch (InvalidOperationException)
        {
            // A read is in progress on another thread: the body has not been read to its end.
            return false;
        }
    }
}
