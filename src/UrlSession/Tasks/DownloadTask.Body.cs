using System.Globalization;

namespace UrlSessions;

// Resuming at an offset, writing the body to the file (through FileSink), and handing the file over.
public sealed partial class DownloadTask
{
    private protected override async Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response)
    {
        HttpResponseMessage? restarted = null;
        try
        {
            var current = message;
            long offset = 0;
            if (_resume.From is { } resume)
            {
                if (response.StatusCode == 206 && RangeMatches(current, resume) && SameVersion(response, resume))
                {
                    offset = resume.BytesReceived;

                    // The bytes on disk count from now on: a pause before the first new byte is written must still
                    // produce a blob for them (and keep the file), not take the download for an empty one.
                    _resume.SetBytesWritten(offset);
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

            _resume.Validators = ResumeValidators.From(OriginalRequest!, response, current, offset > 0 ? _resume.From : null);
            var expectedTotal = ExpectedTotal(current, response, offset);
            SetExpectedToReceive(expectedTotal);
            if (_resume.From is not null)
            {
                if (offset == 0)
                {
                    // Starting over: the old partial file is of no use any more.
                    DownloadFiles.DeleteQuietly(_resume.PartialPath);
                    _resume.PartialPath = null;
                }

                AddBytesReceived(offset);
                if (DelegateFor<IDownloadTaskDelegate>(DelegateMember.DidResumeAtOffset) is { } resumeTarget)
                {
                    _ = Session.Dispatcher.Post(this, nameof(IDownloadTaskDelegate.DidResumeAtOffset), () => resumeTarget.DidResumeAtOffset(Session, this, offset, expectedTotal));
                }
            }

            _resume.PartialPath ??= NewDownloadFilePath();
            var body = await ResponseBodyOpener.OpenAsync(current.Content, Cancellation.Token).ConfigureAwait(false);
            try
            {
                await FileSink.WriteAsync(body.Stream, this, _resume.PartialPath, offset, expectedTotal).ConfigureAwait(false);
            }
            finally
            {
                await body.DisposeAsync().ConfigureAwait(false);
            }

            await HandOverAsync(_resume.PartialPath).ConfigureAwait(false);
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

    /// <summary>The bytes on disk, what resume data records: the file sink sets it as writes complete.</summary>
    internal void SetBytesWritten(long total) => _resume.SetBytesWritten(total);

    /// <summary>The partial file could not be opened (another task resuming the same blob holds it): not ours to delete.</summary>
    internal void DisownPartialFile() => _resume.PartialPath = null;

    /// <summary>Waits for a delegate event the task must not outrun; the wait is the delegate's time, not network idle time.</summary>
    internal async ValueTask WaitForDelegateAsync(Task delegateEvent)
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
        _resume.PartialPath = null;
        _resume.ReleasePartialFile();
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
            DownloadFiles.DeleteFinishedFile(path);
            Volatile.Write(ref _location, null);
        }
    }
}
