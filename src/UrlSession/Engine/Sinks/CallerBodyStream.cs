using System.Buffers;
using System.IO.Pipelines;

namespace UrlSessions;

/// <summary>
/// The body stream BytesAsync hands to the caller: reads from the task's pipe; disposing it before the pump reached
/// the body's end cancels the task. Every read reports the bytes it took out of the pipe, so the task's buffered-bytes
/// count stays true.
/// </summary>
internal sealed class CallerBodyStream(PipeReader reader, DataTask task) : Stream
{
    private const int Open = 0;
    private const int Settled = 1;
    private const int Abandoned = 2;
    private int _disposed;
    private int _outcome;

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

    /// <summary>
    /// The pump's side of the one decision between the body's end and the caller giving up, taken before the pump
    /// completes the pipe (so a caller that read the end or the error and then disposes never cancels): true when the
    /// body ended (or failed) first and so settles the task, false when the caller disposed the stream first.
    /// </summary>
    internal bool TrySettle() => Interlocked.CompareExchange(ref _outcome, Settled, Open) != Abandoned;

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The caller's side of the decision (see TrySettle): disposing before the pump saw the body's end cancels.
            var abandoned = Interlocked.CompareExchange(ref _outcome, Abandoned, Open) == Open;

            // Completing the reader tells the pump nobody reads any more, but only at its next flush: a pump waiting
            // on a quiet server (or a suspension) would not see it until the server sent more, so cancel now.
            reader.Complete();
            if (abandoned)
            {
                task.Cancel();
            }
        }

        base.Dispose(disposing);
    }
}
