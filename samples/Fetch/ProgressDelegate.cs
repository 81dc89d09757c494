using System.Diagnostics;
using UrlSessions;

namespace UrlSessions.Samples.Fetch;

/// <summary>
/// The download's delegate: a progress bar from DidWriteData, the resume offset from DidResumeAtOffset, and
/// the finished file moved to the output in DidFinishDownloading (the session deletes it once that returns).
/// Every call arrives on the session's serial delegate queue.
/// </summary>
internal sealed class ProgressDelegate(string output, Action<long>? onWritten = null) : IDownloadTaskDelegate
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _startOffset;
    // Null until the first draw: a MinValue sentinel made now - _lastDraw overflow, so the bar never drew.
    private TimeSpan? _lastDraw;
    private bool _barShown;

    public string Output { get; } = output;

    /// <summary>An HTTP error status (4xx/5xx): the body was not kept.</summary>
    public int? RefusedStatus { get; private set; }

    public void DidResumeAtOffset(UrlSession session, DownloadTask task, long fileOffset, long expectedTotalBytes)
    {
        _startOffset = fileOffset;
        Console.WriteLine(fileOffset > 0
            ? $"fetch: resumed at {fileOffset:N0} bytes"
            : "fetch: the server sent the whole file again (it changed, or ignores ranges): starting over");
    }

    public void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite)
    {
        onWritten?.Invoke(totalBytesWritten);
        var now = _clock.Elapsed;
        var finished = totalBytesWritten == totalBytesExpectedToWrite;
        var interval = Console.IsOutputRedirected ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(100);
        if (!finished && _lastDraw is { } last && now - last < interval)
        {
            return;
        }

        _lastDraw = now;
        var rate = (totalBytesWritten - _startOffset) / Math.Max(now.TotalSeconds, 0.001);
        var line = ProgressBar.Render(totalBytesWritten, totalBytesExpectedToWrite, rate);
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(line);
        }
        else
        {
            Console.Write("\r" + line.PadRight(Math.Max(Console.WindowWidth - 1, line.Length)));
            _barShown = true;
        }
    }

    public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
    {
        if (task.Response is HttpUrlResponse { StatusCode: >= 400 } http)
        {
            RefusedStatus = http.StatusCode;
            return;
        }

        File.Move(location, Output, overwrite: true);
    }

    /// <summary>Ends the progress bar's line before other output.</summary>
    public void EndLine()
    {
        if (_barShown)
        {
            Console.WriteLine();
            _barShown = false;
        }
    }
}
