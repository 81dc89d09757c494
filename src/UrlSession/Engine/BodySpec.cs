namespace UrlSessions;

/// <summary>
/// A request body by value (bytes) or by reference (a file path), exactly one of the two. A stream body has no
/// description: it is read once and cannot be written down.
/// </summary>
internal sealed class BodySpec
{
    /// <summary>The body's bytes, for a body made with <see cref="RequestBody.FromBytes"/>.</summary>
    public byte[]? Bytes { get; init; }

    /// <summary>The full path of the file sent, for a body made with <see cref="RequestBody.FromFile"/>.</summary>
    public string? FilePath { get; init; }

    /// <summary>
    /// The file's length when the spec was made, or null when it did not exist. Informational only: like the task it
    /// describes, the rebuilt request reads the file as it is at every send.
    /// </summary>
    public long? FileLength { get; init; }

    /// <summary>Describes a body; null for none.</summary>
    /// <exception cref="ArgumentException">The body is a stream.</exception>
    public static BodySpec? From(RequestBody? body) => body switch
    {
        null => null,
        BytesRequestBody bytes => new() { Bytes = bytes.Bytes.ToArray() },
        FileRequestBody file => new() { FilePath = file.FilePath, FileLength = file.Length },
        _ => throw new ArgumentException(
            "A task whose request body is a stream cannot be described by a TaskSpec: a stream is read once and cannot be serialized. Send bytes (RequestBody.FromBytes) or a file (RequestBody.FromFile) instead.",
            nameof(body)),
    };

    public RequestBody ToBody() => (Bytes, FilePath) switch
    {
        ({ } bytes, null) => RequestBody.FromBytes(bytes),
        (null, { Length: > 0 } path) => RequestBody.FromFile(path),
        _ => throw new FormatException("a body must have exactly one of bytes and a file path"),
    };

    internal void Validate()
    {
        _ = ToBody();

        // A relative path would be resolved against whichever process reads the spec: From always writes a full one.
        if (FilePath is not null && !Path.IsPathFullyQualified(FilePath))
        {
            throw new FormatException("a body's file path must be a full path");
        }

        if (FileLength < 0 || (FileLength is not null && FilePath is null))
        {
            throw new FormatException("a body's file length must be a file's, and not negative");
        }
    }
}
