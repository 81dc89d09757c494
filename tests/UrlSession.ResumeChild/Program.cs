using System.Globalization;
using UrlSessions;

// Usage: UrlSession.ResumeChild <url> <download folder> <pause after bytes> <blob path>
// Downloads the URL into the folder, pauses with CancelByProducingResumeDataAsync once that many bytes are
// written, writes the blob to the path and exits 0 (2: no blob, 3: the download ended before the pause).
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: UrlSession.ResumeChild <url> <download folder> <pause after bytes> <blob path>");
    return 64;
}

var configuration = SessionConfiguration.Ephemeral;
configuration.DownloadDirectory = args[1];
var pauseAfter = long.Parse(args[2], CultureInfo.InvariantCulture);
var observer = new PauseObserver(pauseAfter);
await using var session = new UrlSession(configuration, observer);
var task = session.CreateDownloadTask(new Uri(args[0]));
task.Resume();
if (await Task.WhenAny(observer.Reached, task.Completion) != observer.Reached)
{
    Console.Error.WriteLine($"the download ended before {pauseAfter} bytes: {task.Error?.Code}");
    return 3;
}

var blob = await task.CancelByProducingResumeDataAsync();
if (blob is null)
{
    Console.Error.WriteLine("no resume data");
    return 2;
}

await File.WriteAllBytesAsync(args[3], blob);
Console.WriteLine(task.CountOfBytesReceived.ToString(CultureInfo.InvariantCulture));
return 0;

internal sealed class PauseObserver(long pauseAfter) : IDownloadTaskDelegate
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
    {
    }

    public void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite)
    {
        if (totalBytesWritten >= pauseAfter)
        {
            _reached.TrySetResult();
        }
    }
}
