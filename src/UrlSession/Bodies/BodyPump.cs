using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace UrlSessions;

/// <summary>
/// Moves a body from the network to the delegate (or to the caller's stream) through a
/// <see cref="Pipe"/>, so reading the socket and handling data overlap while memory stays bounded.
/// </summary>
/// <remarks>
/// Backpressure: the writer pauses once <see cref="Window"/> bytes wait unconsumed and resumes below half
/// of it, so at most <see cref="Window"/> + one <see cref="ChunkSize"/> read are buffered per task however
/// slow the delegate is. While the writer waits, nothing reads the socket and TCP flow control slows the
/// server. Each <c>DidReceiveData</c> gets a slice of the pipe's own memory (no copy), valid until it returns.
/// </remarks>
internal static class BodyPump
{
    public const int Window = 1024 * 1024;
    public const int ChunkSize = 64 * 1024;

    private static readonly PipeOptions Options = new(
        pauseWriterThreshold: Window,
        resumeWriterThreshold: Window / 2,
        minimumSegmentSize: ChunkSize,
        useSynchronizationContext: false);

    public static async Task<byte[]?> PumpToDelegateAsync(Stream body, DataTask task, IDataTaskDelegate target, bool collect)
    {
        var pipe = new Pipe(Options);
        using var pumpCancellation = CancellationTokenSource.CreateLinkedTokenSource(task.Cancellation.Token);
        var fill = FillAsync(body, pipe.Writer, task, pumpCancellation.Token);
        var collected = collect ? new ArrayBufferWriter<byte>(Math.Max(256, (int)Math.Min(Array.MaxLength, Math.Max(0, task.CountOfBytesExpectedToReceive)))) : null;
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

    public static async Task StreamToCallerAsync(Stream body, DataTask task, TaskCompletionSource<Stream> ready)
    {
        var pipe = new Pipe(Options);
        ready.TrySetResult(new CallerBodyStream(pipe.Reader));
        bool finished;
        try
        {
            finished = await FillAsync(body, pipe.Writer, task, task.Cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The caller reading the stream sees the same UrlError the task completes with.
            var error = ErrorMapping.ToUrlError(ex, task);
            await pipe.Writer.CompleteAsync(error).ConfigureAwait(false);
            throw error;
        }

        if (!finished)
        {
            // The caller disposed the stream before the end: nobody wants the rest.
            task.Cancel();
            task.Cancellation.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Copies the body into the pipe; true when the body ended, false when the reader stopped first.</summary>
    private static async Task<bool> FillAsync(Stream body, PipeWriter writer, DataTask task, CancellationToken token)
    {
        try
        {
            while (true)
            {
                await BodyReader.WaitWhileSuspendedAsync(task, token).ConfigureAwait(false);
                var memory = writer.GetMemory(ChunkSize);
                var read = await body.ReadAsync(memory, token).ConfigureAwait(false);
                if (read == 0)
                {
                    await writer.CompleteAsync().ConfigureAwait(false);
                    return true;
                }

                writer.Advance(read);
                task.OnBodyBytesReceived(read);
                task.NoteBuffered(read);
                var flush = writer.FlushAsync(token);
                if (!flush.IsCompleted)
                {
                    task.OnBackpressure?.Invoke();
                }

                if ((await flush.ConfigureAwait(false)).IsCompleted)
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
        var session = task.Session;
        var token = task.Cancellation.Token;
        while (true)
        {
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                await BodyReader.WaitWhileSuspendedAsync(task, token).ConfigureAwait(false);
                collected?.Write(segment.Span);
                await session.Dispatcher.Invoke(nameof(IDataTaskDelegate.DidReceiveData), () => target.DidReceiveData(session, task, segment)).ConfigureAwait(false);
            }

            // Measure before AdvanceTo: afterwards the segments go back to the pool and the sequence's length is garbage.
            var consumed = buffer.Length;
            reader.AdvanceTo(buffer.End);
            task.NoteBuffered(-consumed);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                return;
            }
        }
    }
}
