namespace UrlSessions;

internal sealed class StreamRequestBody(Stream stream, long? length) : RequestBody
{
    private int _used;

    public override long? Length { get; } = length;

    internal override bool IsReplayable => false;

    internal override HttpContent CreateContent(Stream? replacementStream)
    {
        Stream source;
        if (replacementStream is not null)
        {
            source = replacementStream;
        }
        else if (Interlocked.Exchange(ref _used, 1) == 0)
        {
            source = stream;
        }
        else
        {
            throw new UrlError(UrlErrorCode.RequestBodyStreamExhausted, "The request's body stream was already sent and no new body stream was provided.");
        }

        var content = new StreamContent(source);
        content.Headers.ContentLength = Length;
        return content;
    }
}
