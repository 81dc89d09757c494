using System.IO.Pipelines;

namespace UrlSessions;

/// <summary>
/// The caller stream sink (<c>BytesAsync</c>): the delegate pipe sink's fill loop and window, read by the caller through
/// a <see cref="CallerBodyStream"/> over the pipe. Disposing that stream completes the reader; a fill still running
/// then cancels the task.
/// </summary>
internal static class CallerStreamSink
{
    // To the caller's stream, the reader is user code (which may even block in a synchronous Read), so its
    // continuations must not run inline on the fill loop: thread-pool schedulers.
    private static readonly PipeOptions StreamOptions = new(
        pauseWriterThreshold: DelegatePipeSink.Window,
        resumeWriterThreshold: DelegatePipeSink.Window / 2,
        minimumSegmentSize: DelegatePipeSink.ChunkSize,
        useSynchronizationContext: false);

    public static async Task PumpAsync(Stream body, DataTask task, TaskCompletionSource<Stream> ready)
    {
        var pipe = new Pipe(StreamOptions);
        var caller = new CallerBodyStream(pipe.Reader, task);
        ready.TrySetResult(caller);
        bool finished;
        try
        {
            var token = task.Cancellation.Token;
            finished = await DelegatePipeSink.FillAsync(new BodyReader(body, task, token), pipe.Writer, task, token, caller).ConfigureAwait(false);
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
            // The caller disposed the stream before the end: nobody wants the rest. Completing the writer too (the
            // reader is) gives the pipe's segments back.
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            throw task.CancelNow();
        }
    }
}
