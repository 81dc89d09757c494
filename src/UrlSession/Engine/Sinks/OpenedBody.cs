namespace UrlSessions;

/// <summary>A response body opened by <see cref="ResponseBodyOpener"/>: the (decoded) stream to read, and its decoder to release.</summary>
/// <remarks>A struct: the common body has no coding, and opening it then allocates nothing.</remarks>
internal readonly struct OpenedBody(Stream raw, Stream decoded) : IAsyncDisposable
{
    /// <summary>What the sinks read: the response stream itself, or the decoders over it.</summary>
    public Stream Stream => decoded;

    /// <summary>
    /// Releases the decoder: it holds native state, released as soon as the body is read rather than by the GC. An
    /// undecoded stream belongs to the response message, which its owner disposes.
    /// </summary>
    public ValueTask DisposeAsync() => ReferenceEquals(decoded, raw) ? default : decoded.DisposeAsync();
}
