namespace UrlSessions;

internal sealed class FileRequestBody(string path) : RequestBody
{
    public string FilePath { get; } = path;

    public override long? Length => File.Exists(FilePath) ? new FileInfo(FilePath).Length : null;

    internal override bool IsReplayable => true;

    internal override string DefaultContentType => MimeTypes.FromFileName(FilePath);

    // Opened at every send so a re-send reads the file afresh; sequential scan keeps the page cache lean.
    internal override Stream OpenRead(Stream? replacementStream) =>
        new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
}
