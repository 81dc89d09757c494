using System.Security.Cryptography;

namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>Bodies, files and hashes for the upload tests.</summary>
internal static class UploadData
{
    /// <summary>Deterministic pseudo-random bytes (seeded), so a misplaced block changes the hash.</summary>
    public static byte[] Random(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>A temporary file holding the bytes, with the extension given; deleted when disposed.</summary>
    public static TempFile File(byte[] bytes, string extension = ".bin")
    {
        var path = Path.Combine(Path.GetTempPath(), "urlsession-upload-" + Guid.NewGuid().ToString("N") + extension);
        System.IO.File.WriteAllBytes(path, bytes);
        return new TempFile(path);
    }
}

internal sealed class TempFile(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose() => File.Delete(Path);
}
