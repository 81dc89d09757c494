using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace UrlSessions;

/// <summary>
/// What a paused or failed download needs to go on, and its blob format (docs/resume-data.md):
/// <code>
/// "USRD" | version (1 byte) | payload length (4 bytes, big-endian) | payload (UTF-8 JSON) | SHA-256 of all before it (32 bytes)
/// </code>
/// The hash catches truncation and corruption; a crafted blob with a valid hash is still held to the
/// session's download folder by <see cref="ValidatePartialFile"/>.
/// </summary>
internal sealed record ResumeData(Uri Url, string Method, IReadOnlyList<KeyValuePair<string, string>> Headers, long BytesReceived, string? ETag, string? LastModified, long ExpectedLength, string PartialFilePath)
{
    public const byte CurrentVersion = 1;
    private const int MaxBlobLength = 1024 * 1024;
    private const int HeaderLength = 4 + 1 + 4;
    private const int HashLength = 32;
    private static ReadOnlySpan<byte> Magic => "USRD"u8;

    /// <summary>The validator for If-Range: the strong ETag, else Last-Modified.</summary>
    public string? Validator => ETag ?? LastModified;

    public byte[] Encode()
    {
        using var payload = new MemoryStream();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("url", Url.AbsoluteUri);
            json.WriteString("method", Method);
            json.WriteStartArray("headers");
            foreach (var (name, value) in Headers)
            {
                json.WriteStartArray();
                json.WriteStringValue(name);
                json.WriteStringValue(value);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteNumber("bytesReceived", BytesReceived);
            WriteOptional(json, "etag", ETag);
            WriteOptional(json, "lastModified", LastModified);
            json.WriteNumber("expectedLength", ExpectedLength);
            json.WriteString("partialFile", PartialFilePath);
            json.WriteEndObject();
        }

        var blob = new byte[HeaderLength + payload.Length + HashLength];
        Magic.CopyTo(blob);
        blob[4] = CurrentVersion;
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(5), (int)payload.Length);
        payload.GetBuffer().AsSpan(0, (int)payload.Length).CopyTo(blob.AsSpan(HeaderLength));
        SHA256.HashData(blob.AsSpan(0, blob.Length - HashLength), blob.AsSpan(blob.Length - HashLength));
        return blob;
    }

    /// <summary>Reads a blob, or throws <see cref="UrlErrorCode.CannotDecodeRawData"/> saying what is wrong with it.</summary>
    public static ResumeData Decode(byte[]? blob)
    {
        if (blob is null || blob.Length == 0)
        {
            throw Invalid("it is empty");
        }

        if (blob.Length > MaxBlobLength)
        {
            throw Invalid($"it is {blob.Length} bytes, more than the {MaxBlobLength} a resume blob can be");
        }

        if (blob.Length < HeaderLength + HashLength || !blob.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw Invalid("it is not UrlSession resume data");
        }

        if (blob[4] != CurrentVersion)
        {
            throw Invalid($"it has version {blob[4]}; this version of UrlSession reads version {CurrentVersion}");
        }

        var payloadLength = BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(5));
        if (payloadLength < 0 || (long)HeaderLength + payloadLength + HashLength != blob.Length)
        {
            throw Invalid("it is truncated or has bytes past its end");
        }

        Span<byte> hash = stackalloc byte[HashLength];
        SHA256.HashData(blob.AsSpan(0, blob.Length - HashLength), hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, blob.AsSpan(blob.Length - HashLength)))
        {
            throw Invalid("its checksum does not match (it was corrupted)");
        }

        try
        {
            using var document = JsonDocument.Parse(blob.AsMemory(HeaderLength, payloadLength));
            var root = document.RootElement;
            var url = new Uri(Text(root.GetProperty("url")), UriKind.Absolute);
            var headers = new List<KeyValuePair<string, string>>();
            foreach (var pair in root.GetProperty("headers").EnumerateArray())
            {
                headers.Add(new(Text(pair[0]), Text(pair[1])));
            }

            // The request is rebuilt from these when the task is created: what cannot be is refused here, as a blob.
            var method = Text(root.GetProperty("method"));
            _ = new HttpMethod(method);
            _ = HeaderList.From(headers);
            var data = new ResumeData(
                url,
                method,
                headers,
                root.GetProperty("bytesReceived").GetInt64(),
                ReadOptional(root, "etag"),
                ReadOptional(root, "lastModified"),
                root.GetProperty("expectedLength").GetInt64(),
                Text(root.GetProperty("partialFile")));
            if (data.BytesReceived < 0 || data.Validator is null || data.PartialFilePath.Length == 0)
            {
                throw Invalid("its fields are inconsistent");
            }

            return data;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException or IndexOutOfRangeException or ArgumentException or FormatException)
        {
            throw Invalid($"its contents cannot be read ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// The partial file must sit directly in the session's download folder (no link) and hold at least the bytes recorded;
    /// otherwise the blob is refused without touching anything.
    /// </summary>
    public void ValidatePartialFile(string downloadDirectory)
    {
        var folder = Path.GetFullPath(downloadDirectory);
        var file = Path.GetFullPath(PartialFilePath);
        if (!string.Equals(Path.GetDirectoryName(file), folder.TrimEnd(Path.DirectorySeparatorChar), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            throw new UrlError(UrlErrorCode.CannotOpenFile, $"The resume data names a partial file outside the session's download folder ({folder}); it was refused.", Url);
        }

        var info = new FileInfo(file);
        if (!info.Exists)
        {
            throw new UrlError(UrlErrorCode.FileDoesNotExist, $"The partial file of the download of {UrlText.Safe(Url)} no longer exists.", Url);
        }

        if (info.LinkTarget is not null || info.Length < BytesReceived)
        {
            throw new UrlError(UrlErrorCode.CannotOpenFile, $"The partial file of the download of {UrlText.Safe(Url)} holds {info.Length} bytes, fewer than the {BytesReceived} recorded (or is a link); it cannot be resumed.", Url);
        }
    }

    private static UrlError Invalid(string reason, Exception? inner = null) =>
        new(UrlErrorCode.CannotDecodeRawData, $"The resume data cannot be used: {reason}.", null, inner);

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>A required string field; JSON null (valid JSON, and accepted by <c>GetString</c>) is refused like a wrong type.</summary>
    private static string Text(JsonElement element) =>
        element.GetString() ?? throw new InvalidOperationException("a required string is null");

    private static string? ReadOptional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
