namespace UrlSessions;

/// <summary>
/// The body of a request. Bytes and files can be sent again (a 307/308 redirect, an authentication
/// retry); a stream is one-shot, so a re-send asks <see cref="ISessionTaskDelegate.NeedNewBodyStreamAsync"/>.
/// </summary>
public abstract class RequestBody
{
    private protected RequestBody()
    {
    }

    /// <summary>The body's length in bytes, or null when unknown (a stream without a stated length).</summary>
    public abstract long? Length { get; }

    /// <summary>Whether the session can send the body again without asking the delegate.</summary>
    internal abstract bool IsReplayable { get; }

    /// <summary>The Content-Type the session supplies when the request sets none.</summary>
    internal virtual string DefaultContentType => "application/x-www-form-urlencoded";

    /// <summary>A body made of bytes; the memory is not copied, so do not change it while tasks use it.</summary>
    /// <param name="bytes">The body.</param>
    public static RequestBody FromBytes(ReadOnlyMemory<byte> bytes) => new BytesRequestBody(bytes);

    /// <summary>A body read from a file as it is sent; the file is opened at every send.</summary>
    /// <param name="path">The file's path.</param>
    public static RequestBody FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileRequestBody(Path.GetFullPath(path));
    }

    /// <summary>A body read from a stream once; a re-send asks the delegate for a new stream.</summary>
    /// <param name="stream">The readable stream.</param>
    /// <param name="length">How many bytes the stream holds, if known (sent as Content-Length).</param>
    public static RequestBody FromStream(Stream stream, long? length = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The body stream must be readable.", nameof(stream));
        }

        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A body length cannot be negative.");
        }

        return new StreamRequestBody(stream, length);
    }

    /// <summary>Opens the bytes for one send; <paramref name="replacementStream"/> replaces a one-shot stream on a re-send.</summary>
    internal abstract Stream OpenRead(Stream? replacementStream);

    /// <summary>Whether the session disposes what <see cref="OpenRead"/> returned (not the caller's own stream).</summary>
    internal virtual bool OwnsOpenedStream => true;
}
