namespace UrlSessions;

internal sealed class BytesRequestBody(ReadOnlyMemory<byte> bytes) : RequestBody
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    public override long? Length => Bytes.Length;

    internal override bool IsReplayable => true;

    internal override HttpContent CreateContent(Stream? replacementStream) => new ReadOnlyMemoryContent(Bytes);
}
