using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace UrlSessions;

/// <summary>
/// The delegate pipe sink: moves a body from the network to the delegate's <c>DidReceiveData</c> through a
/// <see cref="Pipe"/>, so reading the socket and handling data overlap while memory stays bounded. Its fill loop and
/// window also feed <see cref="CallerStreamSink"/>.
/// </summary>
/// <remarks>
/// Backpressure: the writer pauses once <see cref="Window"/> bytes wait unconsumed and resumes below half
/// of it, so at most <see cref="Window"/> + one <see cref="ChunkSize"/> read are buffered per task however
/// slow the delegate is. While the writer waits, nothing reads the socket and TCP flow control slows the
/// server. Each <c>DidReceiveData</c> gets a slice of the pipe's own memory (no copy), valid until it returns.
/// </remarks>
internal static class DelegatePipeSink
{
    public const int Window = 1024 * 1024;
    public const int ChunkSize = 64 * 1024;

    // To the delegate, both loops are ours, so inline schedulers: a flush that wakes the drain (or a read
    // that releases the fill) continues it on the same thread instead of queueing it to the thread pool;
    // each loop leaves that thread at its next real wait (the socket read, the delegate queue). This saves
    // a thread-pool trip per read. User code never runs inline here: events go through the delegate queue.
    private static readonly PipeOptions DelegateOptions = new(
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: Window,
        resumeWriterThreshold: Window / 2,
        minimumSegmentSize: ChunkSize,
        useSynchronizationContext: false);

    public static async Task<byte[]?> PumpAsync(Stream body, DataTask task, IDataTaskDelegate target, bool collect)
    {
        var pipe = new Pipe(DelegateOptions);
        using var pumpCancellation = CancellationTokenSource.CreateLinkedTokenSource(task.Cancellation.Token);
        var fill = FillAsync(new BodyReader(body, task, pumpCancellation.Token), pipe.Writer, task, pumpCancellation.Token);
        var collected = collect ? new ArrayBufferWriter<byte>(Math.Max(256, (int)Math.Min(MemorySink.MaxUpfrontBuffer, Math.Max(0, task.CountOfBytesExpectedToReceive)))) : null;
        Exception? drainError = null;
        try
        {
            await DrainToDelegateAsync(pipe.Reader, task, target, collected).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            drainError = ex;
            await pipe.Reader.CompleteAsync(ex).ConfigureAwait(false);
            await pumpCancellation.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await fill.ConfigureAwait(false);
        }
        catch when (drainError is not null)
        {
            // The drain's failure is the task's error; the fill only stopped because of it.
        }

        if (drainError is not null)
        {
            ExceptionDispatchInfo.Throw(drainError);
        }

        return collected?.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Copies the body into the pipe (both pipe sinks); true when the body ended, false when the reader stopped first.
    /// With the caller's stream, its <see cref="CallerBodyStream.TrySettle"/> decides which came first.
    /// </summary>
    internal static async Task<bool> FillAsync(BodyReader body, PipeWriter writer, DataTask task, CancellationToken token, CallerBodyStream? caller = null)
    {
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(ChunkSize);
                var read = await body.ReadAsync(memory).ConfigureAwait(false);
                if (read == 0)
                {
                    // Nothing more comes from the network; a consumer still working through the pipe is not a stall.
                    task.HoldIdleTimeout();
                    if (caller?.TrySettle() == false)
                    {
                        return false;
                    }

                    await writer.CompleteAsync().ConfigureAwait(false);
                    return true;
                }

                writer.Advance(read);
                task.NoteBuffered(read);
                var flush = writer.FlushAsync(token);
                if (!flush.IsCompleted)
                {
                    // The consumer is behind and the pump stops reading: the server is not stalling, so the idle
                    // timeout waits (the resource timeout still counts).
                    task.HoldIdleTimeout();
                    task.OnBackpressure?.Invoke();
                    var flushed = await flush.ConfigureAwait(false);
                    task.ReleaseIdleTimeout();
                    if (flushed.IsCompleted)
                    {
                        return false;
                    }
                }
                else if (flush.Result.IsCompleted)
                {
                    return false;
                }
            }
        }
        catch (Exception ex)
        {
            // The reader (a delegate drain or the caller's stream) sees the same UrlError the task completes with,
            // never the raw IOException or HttpIOException.
            var error = ErrorMapping.ToUrlError(ex, task);
            if (caller?.TrySettle() == false)
            {
                // The caller disposed the stream first: that, not what this read then ran into, ends the task.
                error = task.CancelNow();
            }

            await writer.CompleteAsync(error).ConfigureAwait(false);
            if (ReferenceEquals(error, ex))
            {
                throw;
            }

            throw error;
        }
    }

    private static async Task DrainToDelegateAsync(PipeReader reader, DataTask task, IDataTaskDelegate target, ArrayBufferWriter<byte>? collected)
    {
        var token = task.Cancellation.Token;
        var batch = new DataBatch(task, target, collected);
        while (true)
        {
            await BodyReader.WaitWhileSuspendedAsync(task, token).ConfigureAwait(false);
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;

            // One trip to the delegate queue per read, not per segment: when the delegate is behind, a read
            // holds several segments and they go out together (each still its own DidReceiveData, in order).
            batch.Buffer = buffer;
            batch.Delivered = buffer.Start;
            if (await task.Session.Dispatcher.Invoke(nameof(IDataTaskDelegate.DidReceiveData), batch.DeliverAction).ConfigureAwait(false) is { } failure)
            {
                throw failure;
            }

            var delivered = batch.Delivered;
            batch.Buffer = default;

            // A suspension during the batch leaves the rest in the pipe (consumed only up to what was delivered,
            // so the next read returns it at once after Resume instead of waiting for new bytes).
            // Measure before AdvanceTo: after it the buffer's segments may already be reused by the fill.
            var deliveredAll = delivered.Equals(buffer.End);
            var deliveredBytes = deliveredAll ? buffer.Length : buffer.Slice(buffer.Start, delivered).Length;
            // Count the release before AdvanceTo: with inline schedulers the fill resumes inside it and refills.
            task.NoteBuffered(-deliveredBytes);
            reader.AdvanceTo(delivered);
            if (result.IsCompleted && deliveredAll)
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Delivers one read's segments to the delegate on the delegate queue; reused for the whole body.</summary>
    private sealed class DataBatch
    {
        private readonly DataTask _task;
        private readonly IDataTaskDelegate _target;
        private readonly ArrayBufferWriter<byte>? _collected;

        public DataBatch(DataTask task, IDataTaskDelegate target, ArrayBufferWriter<byte>? collected)
        {
            _task = task;
            _target = target;
            _collected = collected;
            DeliverAction = Deliver;
        }

        public Action DeliverAction { get; }

        public ReadOnlySequence<byte> Buffer { get; set; }

        /// <summary>Where delivery stopped: the buffer's end unless the task was suspended or cancelled meanwhile.</summary>
        public SequencePosition Delivered { get; set; }

        private void Deliver()
        {
            var session = _task.Session;
            var buffer = Buffer;
            var position = buffer.Start;
            while (buffer.TryGet(ref position, out var segment))
            {
                // Suspend stops data events at once, also in the middle of a batch.
                if (!_task.Gate.IsOpen || _task.Cancellation.IsCancellationRequested)
                {
                    return;
                }

                if (!segment.IsEmpty)
                {
                    _collected?.Write(segment.Span);
                    _target.DidReceiveData(session, _task, segment);
                }

                Delivered = position;
            }

            Delivered = buffer.End;
        }
    }
}
