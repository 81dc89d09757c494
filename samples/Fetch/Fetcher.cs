using UrlSessions;

namespace UrlSessions.Samples.Fetch;

/// <summary>How a fetch ended; the value is the process exit code.</summary>
internal enum FetchOutcome
{
    Done = 0,
    Failed = 1,
    Interrupted = 130,
}

/// <summary>One download to one output file, continuing from <c>&lt;output&gt;.resume</c> when it exists.</summary>
internal static class Fetcher
{
    /// <summary>
    /// The URL's last path segment, as wget names its output; index.html for a bare host. An escaped slash can make
    /// that segment "." or ".." (<c>/x%2F..</c>), which would name the current or parent folder: index.html then too.
    /// </summary>
    public static string DefaultOutputName(Uri url)
    {
        var name = Path.GetFileName(Uri.UnescapeDataString(url.AbsolutePath));
        return string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? "index.html" : name;
    }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="output"/>; cancelling <paramref name="interrupt"/> pauses it into a .resume file.</summary>
    /// <param name="url">What to download.</param>
    /// <param name="output">Where the finished file goes; the blob goes to <c>output + ".resume"</c>.</param>
    /// <param name="interrupt">Ctrl+C.</param>
    /// <param name="onWritten">Called with the total bytes on disk after each write (the self-test uses it to pause).</param>
    public static async Task<FetchOutcome> RunAsync(Uri url, string output, CancellationToken interrupt, Action<long>? onWritten = null)
    {
        output = Path.GetFullPath(output);
        var resumePath = output + ".resume";

        // A Default session: partial files stay in SessionConfiguration.DownloadDirectory (the temp folder's
        // UrlSession/Downloads), where a later process can find them through the blob.
        var progress = new ProgressDelegate(output, onWritten);
        await using var session = new UrlSession(SessionConfiguration.Default, progress);

        DownloadTask task;
        var resuming = File.Exists(resumePath);
        if (resuming)
        {
            Console.WriteLine($"fetch: found {Path.GetFileName(resumePath)}, continuing {url}");
            task = session.CreateDownloadTask(await File.ReadAllBytesAsync(resumePath, CancellationToken.None));
        }
        else
        {
            Console.WriteLine($"fetch: {url} -> {output}");
            task = session.CreateDownloadTask(url);
        }

        task.Resume();
        var outcome = await WaitAsync(task, progress, resumePath, interrupt);
        if (resuming && task.Error?.Code is UrlErrorCode.CannotDecodeRawData or UrlErrorCode.FileDoesNotExist or UrlErrorCode.CannotOpenFile)
        {
            // The blob cannot be used (corrupted, partial file gone or shortened): start over once.
            Console.WriteLine($"fetch: the resume data cannot be used ({task.Error.Code}): starting over");
            File.Delete(resumePath);
            progress = new ProgressDelegate(output, onWritten);
            await using var fresh = new UrlSession(SessionConfiguration.Default, progress);
            task = fresh.CreateDownloadTask(url);
            task.Resume();
            outcome = await WaitAsync(task, progress, resumePath, interrupt);
        }

        return outcome;
    }

    private static async Task<FetchOutcome> WaitAsync(DownloadTask task, ProgressDelegate progress, string resumePath, CancellationToken interrupt)
    {
        var interrupted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (interrupt.Register(() => interrupted.TrySetResult()))
        {
            await Task.WhenAny(task.Completion, interrupted.Task);
        }

        if (!task.Completion.IsCompleted)
        {
            // Paused: the task stops, keeps its partial file and hands back a blob that names it.
            var blob = await task.CancelByProducingResumeDataAsync();
            progress.EndLine();
            if (blob is null)
            {
                Console.WriteLine("fetch: interrupted; this download cannot be resumed (no strong ETag or Last-Modified, no byte ranges, or nothing received yet)");
                return FetchOutcome.Interrupted;
            }

            await File.WriteAllBytesAsync(resumePath, blob, CancellationToken.None);
            Console.WriteLine($"fetch: interrupted at {task.CountOfBytesReceived:N0} bytes; resume data saved to {resumePath} (run the same command to continue)");
            return FetchOutcome.Interrupted;
        }

        progress.EndLine();
        if (task.Error is { } error)
        {
            if (error.DownloadTaskResumeData is { } blob)
            {
                await File.WriteAllBytesAsync(resumePath, blob, CancellationToken.None);
                Console.WriteLine($"fetch: {error.Code}: {error.Message}");
                Console.WriteLine($"fetch: resume data saved to {resumePath} (run the same command to continue)");
            }
            else
            {
                Console.WriteLine($"fetch: {error.Code} ({(int)error.Code}): {error.Message}");
            }

            return FetchOutcome.Failed;
        }

        if (progress.RefusedStatus is { } status)
        {
            Console.WriteLine($"fetch: the server answered {status} {HttpUrlResponse.LocalizedStringForStatusCode(status)}; nothing saved");
            return FetchOutcome.Failed;
        }

        File.Delete(resumePath);
        Console.WriteLine($"fetch: saved {progress.Output} ({task.CountOfBytesReceived:N0} bytes)");
        return FetchOutcome.Done;
    }
}
