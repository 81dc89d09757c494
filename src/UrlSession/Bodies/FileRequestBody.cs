using System.Net.Http.Headers;

namespace UrlSessions;

internal sealed class FileRequestBody(string path) : RequestBody
{
    public string FilePath { get; } = path;

    public override long? Length => File.Exists(FilePath) ? new FileInfo(FilePath).Length : null;

    internal override bool IsReplayable => true;

    internal override string DefaultContentType => MimeTypes.FromFileName(FilePath);

    internal override HttpContent CreateContent(Stream? replacementStream)
    {
        // Open at send time so a re-send reads the file afresh; sequential scan keeps the page cache lean.
        var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var content = new StreamContent(stream, 256 * 1024);
        content.Headers.ContentLength = stream.Length;
        return content;
    }
}
