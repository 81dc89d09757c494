namespace UrlSessions;

internal sealed class StreamRequestBody(Stream stream, long? length) : RequestBody
{
    private int _used;

    public override long? Length { get; } = length;

    internal override bool IsReplayable => false;

    // The caller's stream stays the caller's to dispose.
    internal override bool OwnsOpenedStream => false;

    internal override Stream OpenRead(Stream? replacementStream)
    {
        if (replacementStream is not null)
        {
            return replacementStream;
        }

        if (Interlocked.Exchange(ref _used, 1) == 0)
        {
            return stream;
        }

        throw new UrlError(UrlErrorCode.RequestBodyStreamExhausted, "The request's body stream was already sent and no new body stream was provided.");
    }
}
