using System.Buffers;
using System.Runtime.ExceptionServices;

namespace UrlSessions;

/// <summary>
/// The file sink: writes a download's body to its file in few large writes, without ever holding back bytes that
/// arrived. Reads are gathered only while they complete at once (data already there); as soon as the next read would
/// wait for the network, what was gathered is written and reported (<c>DidWriteData</c>) while that read waits. While a
/// full batch is written, one read is in flight into the free part of the buffer, so the socket drains during the write.
/// </summary>
internal static class FileSink
{
    /// <summary>Reads up to this much before each write: few large writes are what makes disk throughput.</summary>
    private const int WriteBufferSize = 1024 * 1024;

    /// <summary>Gathering stops here (or earlier, as soon as a read would wait for the network).</summary>
    private const int WriteThreshold = 512 * 1024;

    /// <summary>The least room worth a read issued while a write is in flight.</summary>
    private const int MinReadAhead = 64 * 1024;

    public static async Task WriteAsync(Stream body, DownloadTask task, string path, long offset, long expectedTotal)
    {
        var url = task.CurrentRequest?.Url;
        FileStream file;
        try
        {
            // Unbuffered: the loop below already hands the OS large writes.
            file = new FileStream(path, offset > 0 ? FileMode.Open : FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            if (offset > 0)
            {
                // Bytes past the recorded offset were never confirmed: cut them before appending.
                file.SetLength(offset);
                file.Position = offset;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (offset > 0)
            {
                // Most likely another task resumed the same blob and holds the file: it is not ours to delete.
                task.DisownPartialFile();
            }

            throw new UrlError(offset > 0 ? UrlErrorCode.CannotOpenFile : UrlErrorCode.CannotCreateFile, $"The download file for {UrlText.Safe(url)} cannot be {(offset > 0 ? "opened" : "created")}: {ex.Message}", url, ex);
        }

        task.SetBytesWritten(offset);
        var progressTarget = task.DelegateFor<IDownloadTaskDelegate>(DelegateMember.DidWriteData);
        var previousEvent = Task.CompletedTask;
        var buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        var readInFlight = false;
        var token = task.Cancellation.Token;
        var reader = new BodyReader(body, task, token);
        try
        {
            await using (file.ConfigureAwait(false))
            {
                var total = offset;
                var ended = false;

                // buffer[start..filled] arrived and is not written yet.
                var start = 0;
                var filled = 0;
                while (!ended)
                {
                    if (start == filled)
                    {
                        // Bytes received are always written first: a suspended task keeps nothing unwritten.
                        await reader.WaitWhileSuspendedAsync().ConfigureAwait(false);
                        start = filled = 0;
                    }

                    ExceptionDispatchInfo? readFailure = null;
                    var waiting = default(ValueTask<int>);
                    var readAhead = false;
                    var wrapped = false;
                    try
                    {
                        // Gather a large write while data is already there; a read that would wait means the network has
                        // nothing more right now, so what arrived is written and reported while that read waits.
                        while (filled - start < WriteThreshold && filled < buffer.Length && task.Gate.IsOpen)
                        {
                            var next = reader.ReadAsync(buffer.AsMemory(filled));
                            if (!next.IsCompleted && filled > start)
                            {
                                waiting = next;
                                readAhead = true;
                                break;
                            }

                            var read = await next.ConfigureAwait(false);
                            if (read == 0)
                            {
                                ended = true;
                                break;
                            }

                            filled += read;
                        }

                        if (!readAhead && !ended && filled > start && task.Gate.IsOpen)
                        {
                            // A full batch: one read stays in flight while it is written, into the free part of the buffer,
                            // so the socket is drained during the write (a strict read-then-write loop leaves it idle).
                            if (buffer.Length - filled >= MinReadAhead)
                            {
                                waiting = reader.ReadAsync(buffer.AsMemory(filled));
                                readAhead = true;
                            }
                            else if (start >= MinReadAhead)
                            {
                                waiting = reader.ReadAsync(buffer.AsMemory(0, start));
                                readAhead = wrapped = true;
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        // Keep what arrived before the failure: resume data then covers every byte received.
                        readFailure = ExceptionDispatchInfo.Capture(ex);
                    }

                    readInFlight = readAhead;
                    if (filled > start)
                    {
                        // The read in flight fills another part of the buffer than this write reads. With it in flight the
                        // write is not cancellable (the read is awaited first); either way every byte received is written.
                        var count = filled - start;
                        total = await WriteToFileAsync(task, file, buffer.AsMemory(start, count), total, url, readFailure is null && !readAhead ? token : CancellationToken.None).ConfigureAwait(false);
                        start = filled;
                        if (progressTarget is not null)
                        {
                            // At most one progress event waits on the queue: a slow delegate slows the download, but its
                            // time is not network idle time.
                            await task.WaitForDelegateAsync(previousEvent).ConfigureAwait(false);
                            var progress = (Target: progressTarget, Task: task, Written: (long)count, Total: total, Expected: expectedTotal);
                            previousEvent = task.Session.Dispatcher.Post(task, nameof(IDownloadTaskDelegate.DidWriteData), static e => e.Target.DidWriteData(e.Task.Session, e.Task, e.Written, e.Total, e.Expected), progress);
                        }
                    }

                    if (readAhead)
                    {
                        if (wrapped)
                        {
                            start = filled = 0;
                        }

                        try
                        {
                            var read = await waiting.ConfigureAwait(false);
                            readInFlight = false;
                            if (read == 0)
                            {
                                ended = true;
                            }
                            else
                            {
                                filled += read;
                            }
                        }
                        catch (Exception ex)
                        {
                            readInFlight = false;
                            readFailure = ExceptionDispatchInfo.Capture(ex);
                        }
                    }

                    readFailure?.Throw();
                }
            }
        }
        finally
        {
            // A failed write can leave a read in flight into this buffer: it then goes to the GC, not back to the pool.
            if (!readInFlight)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        await task.WaitForDelegateAsync(previousEvent).ConfigureAwait(false);
    }

    /// <summary>Appends bytes to the file; the total on disk (what resume data records) counts them once the write completed.</summary>
    private static async ValueTask<long> WriteToFileAsync(DownloadTask task, FileStream file, ReadOnlyMemory<byte> bytes, long total, Uri? url, CancellationToken token)
    {
        try
        {
            await file.WriteAsync(bytes, token).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A large write can fail part-way (a full disk takes what fits): the prefix that landed counts, so
            // resume data covers every byte on disk rather than only the writes that completed.
            try
            {
                var onDisk = file.Length;
                if (onDisk > total && onDisk <= total + bytes.Length)
                {
                    task.SetBytesWritten(onDisk);
                }
            }
            catch (IOException)
            {
            }

            throw new UrlError(UrlErrorCode.CannotWriteToFile, $"The download file for {UrlText.Safe(url)} cannot be written: {ex.Message}", url, ex);
        }

        total += bytes.Length;
        task.SetBytesWritten(total);
        return total;
    }
}
