using System.Buffers;
using System.Globalization;
using System.Runtime.ExceptionServices;

namespace UrlSessions;

// Writing the body to the file, resuming at an offset, and handing the file over.
public sealed partial class DownloadTask
{
    /// <summary>Reads up to this much before each write: few large writes are what makes disk throughput.</summary>
    private const int WriteBufferSize = 1024 * 1024;

    /// <summary>Gathering stops here (or earlier, as soon as a read would wait for the network).</summary>
    private const int WriteThreshold = 512 * 1024;

    /// <summary>The least room worth a read issued while a write is in flight.</summary>
    private const int MinReadAhead = 64 * 1024;

    private protected override async Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response)
    {
        HttpResponseMessage? restarted = null;
        try
        {
            var current = message;
            long offset = 0;
            if (_resumeData is { } resume)
            {
                if (response.StatusCode == 206 && RangeMatches(current, resume) && SameVersion(response, resume))
                {
                    offset = resume.BytesReceived;

                    // The bytes on disk count from now on: a pause before the first new byte is written must still
                    // produce a blob for them (and keep the file), not take the download for an empty one.
                    Interlocked.Exchange(ref _bytesWritten, offset);
                }
                else if (response.StatusCode is 206 or 416)
                {
                    // The server's range answer does not fit the bytes we have: never splice, start over whole.
                    current.Dispose();
                    restarted = await SendFollowingRedirectsAsync(OriginalRequest!).ConfigureAwait(false);
                    current = restarted;
                    response = (HttpUrlResponse)Response!;
                }
            }

            _validators = ResumeValidators.From(OriginalRequest!, response, current, offset > 0 ? _resumeData : null);
            var expectedTotal = ExpectedTotal(current, response, offset);
            SetExpectedToReceive(expectedTotal);
            if (_resumeData is not null)
            {
                if (offset == 0)
                {
                    // Starting over: the old partial file is of no use any more.
                    DeleteQuietly(_partialPath);
                    _partialPath = null;
                }

                AddBytesReceived(offset);
                if (DelegateFor<IDownloadTaskDelegate>(DelegateMember.DidResumeAtOffset) is { } resumeTarget)
                {
                    _ = Session.Dispatcher.Post(this, nameof(IDownloadTaskDelegate.DidResumeAtOffset), () => resumeTarget.DidResumeAtOffset(Session, this, offset, expectedTotal));
                }
            }

            _partialPath ??= NewDownloadFilePath();
            var raw = await ContentDecoding.OpenAsync(current.Content, Cancellation.Token).ConfigureAwait(false);
            var body = ContentDecoding.Decode(current.Content, raw);
            try
            {
                await WriteBodyAsync(body, _partialPath, offset, expectedTotal).ConfigureAwait(false);
            }
            finally
            {
                // A decoder holds native state: released as soon as the body is written, not by the GC.
                if (!ReferenceEquals(body, raw))
                {
                    await body.DisposeAsync().ConfigureAwait(false);
                }
            }

            await HandOverAsync(_partialPath).ConfigureAwait(false);
        }
        finally
        {
            restarted?.Dispose();
        }
    }

    /// <summary>
    /// The 206 carries exactly the rest of the file: it starts at our offset, has the total we recorded, and runs to
    /// the end (a server may answer an open range with a shorter one; taking that for the rest truncates the file).
    /// </summary>
    private static bool RangeMatches(HttpResponseMessage message, ResumeData resume)
    {
        if (message.Content.Headers.ContentRange is not { Unit: "bytes", From: { } from, To: { } to } range || from != resume.BytesReceived)
        {
            return false;
        }

        var total = range.Length ?? resume.ExpectedLength;
        return (range.Length is null || resume.ExpectedLength < 0 || range.Length == resume.ExpectedLength)
            && (total < 0 || to == total - 1);
    }

    /// <summary>
    /// A 206 that names its version must name the blob's: a server or cache that ignores If-Range serves the range
    /// of a changed file, whose bytes do not continue the partial file.
    /// </summary>
    private static bool SameVersion(HttpUrlResponse response, ResumeData resume)
    {
        if (resume.ETag is not null && response.Headers["ETag"] is { } etag)
        {
            return string.Equals(etag, resume.ETag, StringComparison.Ordinal);
        }

        if (resume.LastModified is not null && response.Headers["Last-Modified"] is { } lastModified)
        {
            return string.Equals(lastModified, resume.LastModified, StringComparison.Ordinal)
                || (DateTimeOffset.TryParse(lastModified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent)
                    && DateTimeOffset.TryParse(resume.LastModified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var recorded)
                    && sent == recorded);
        }

        return true;
    }

    private static long ExpectedTotal(HttpResponseMessage message, HttpUrlResponse response, long offset)
    {
        if (offset > 0 && message.Content.Headers.ContentRange?.Length is { } total)
        {
            return total;
        }

        return response.ExpectedContentLength < 0 ? -1 : offset + response.ExpectedContentLength;
    }

    private string NewDownloadFilePath()
    {
        var folder = Session.Settings.DownloadDirectory;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UrlError(UrlErrorCode.CannotCreateFile, $"The download folder '{folder}' cannot be created: {ex.Message}", CurrentRequest?.Url, ex);
        }

        return Path.Combine(folder, $"download-{Guid.NewGuid():N}.tmp");
    }

    private async Task WriteBodyAsync(Stream body, string path, long offset, long expectedTotal)
    {
        var url = CurrentRequest?.Url;
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
                _partialPath = null;
            }

            throw new UrlError(offset > 0 ? UrlErrorCode.CannotOpenFile : UrlErrorCode.CannotCreateFile, $"The download file for {UrlText.Safe(url)} cannot be {(offset > 0 ? "opened" : "created")}: {ex.Message}", url, ex);
        }

        Interlocked.Exchange(ref _bytesWritten, offset);
        var progressTarget = DelegateFor<IDownloadTaskDelegate>(DelegateMember.DidWriteData);
        var previousEvent = Task.CompletedTask;
        var buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        var readInFlight = false;
        var token = Cancellation.Token;
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
                        await BodyReader.WaitWhileSuspendedAsync(this, token).ConfigureAwait(false);
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
                        while (filled - start < WriteThreshold && filled < buffer.Length && Gate.IsOpen)
                        {
                            var next = body.ReadAsync(buffer.AsMemory(filled), token);
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
                            OnBodyBytesReceived(read);
                        }

                        if (!readAhead && !ended && filled > start && Gate.IsOpen)
                        {
                            // A full batch: one read stays in flight while it is written, into the free part of the buffer,
                            // so the socket is drained during the write (a strict read-then-write loop leaves it idle).
                            if (buffer.Length - filled >= MinReadAhead)
                            {
                                waiting = body.ReadAsync(buffer.AsMemory(filled), token);
                                readAhead = true;
                            }
                            else if (start >= MinReadAhead)
                            {
                                waiting = body.ReadAsync(buffer.AsMemory(0, start), token);
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
                        total = await WriteToFileAsync(file, buffer.AsMemory(start, count), total, url, readFailure is null && !readAhead ? token : CancellationToken.None).ConfigureAwait(false);
                        start = filled;
                        if (progressTarget is not null)
                        {
                            // At most one progress event waits on the queue: a slow delegate slows the download, but its
                            // time is not network idle time.
                            await WaitForDelegateAsync(previousEvent).ConfigureAwait(false);
                            var progress = (Target: progressTarget, Task: this, Written: (long)count, Total: total, Expected: expectedTotal);
                            previousEvent = Session.Dispatcher.Post(this, nameof(IDownloadTaskDelegate.DidWriteData), static e => e.Target.DidWriteData(e.Task.Session, e.Task, e.Written, e.Total, e.Expected), progress);
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
                                OnBodyBytesReceived(read);
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

        await WaitForDelegateAsync(previousEvent).ConfigureAwait(false);
    }

    /// <summary>Appends bytes to the file; the total on disk (what resume data records) counts them once the write completed.</summary>
    private async ValueTask<long> WriteToFileAsync(FileStream file, ReadOnlyMemory<byte> bytes, long total, Uri? url, CancellationToken token)
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
                    Interlocked.Exchange(ref _bytesWritten, onDisk);
                }
            }
            catch (IOException)
            {
            }

            throw new UrlError(UrlErrorCode.CannotWriteToFile, $"The download file for {UrlText.Safe(url)} cannot be written: {ex.Message}", url, ex);
        }

        total += bytes.Length;
        Interlocked.Exchange(ref _bytesWritten, total);
        return total;
    }

    private async ValueTask WaitForDelegateAsync(Task delegateEvent)
    {
        if (delegateEvent.IsCompleted)
        {
            return;
        }

        HoldIdleTimeout();
        try
        {
            await delegateEvent.ConfigureAwait(false);
        }
        finally
        {
            ReleaseIdleTimeout();
        }
    }

    /// <summary>Gives the finished file to its owner: the delegate (then deleted), the completion handler (deleted after it), or the awaiting caller.</summary>
    private async Task HandOverAsync(string path)
    {
        _partialPath = null;
        ReleasePartialFile();
        Volatile.Write(ref _location, path);
        if (Mode != DownloadTaskMode.Delegate)
        {
            return;
        }

        try
        {
            if (DelegateFor<IDownloadTaskDelegate>(DelegateMember.DidFinishDownloading) is { } target)
            {
                // Moving a large file can take a while: that is not the server stalling.
                var finished = Session.Dispatcher.Invoke(nameof(IDownloadTaskDelegate.DidFinishDownloading), () => target.DidFinishDownloading(Session, this, path));
                await WaitForDelegateAsync(finished).ConfigureAwait(false);
                if (await finished.ConfigureAwait(false) is { } failure)
                {
                    throw failure;
                }
            }
        }
        finally
        {
            DeleteFinishedFile(path);
            Volatile.Write(ref _location, null);
        }
    }
}
