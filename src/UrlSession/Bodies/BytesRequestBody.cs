using System.Runtime.InteropServices;

namespace UrlSessions;

internal sealed class BytesRequestBody(ReadOnlyMemory<byte> bytes) : RequestBody
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    public override long? Length => Bytes.Length;

    internal override bool IsReplayable => true;

    internal override Stream OpenRead(Stream? replacementStream) =>
        MemoryMarshal.TryGetArray(Bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(Bytes.ToArray(), writable: false);
}
