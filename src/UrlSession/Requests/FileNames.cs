using System.Net.Http.Headers;
using System.Text;

namespace UrlSessions;

/// <summary>Derives safe file names from responses (RFC 6266 Content-Disposition, else the URL).</summary>
internal static class FileNames
{
    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    public static string? FromContentDisposition(string? header)
    {
        if (header is null || !ContentDispositionHeaderValue.TryParse(header, out var disposition))
        {
            return null;
        }

        // filename* (RFC 5987 encoded) wins over filename, as RFC 6266 §4.3 asks.
        var name = disposition.FileNameStar ?? disposition.FileName;
        return string.IsNullOrWhiteSpace(name) ? null : name.Trim('"');
    }

    public static string? LastSegment(Uri url)
    {
        if (!url.IsAbsoluteUri)
        {
            return null;
        }

        var path = url.AbsolutePath.TrimEnd('/');
        var slash = path.LastIndexOf('/');
        var segment = Uri.UnescapeDataString(path[(slash + 1)..]);
        return segment.Length == 0 ? null : segment;
    }

    public static string Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Unknown";
        }

        // Keep only the last component whatever separator the server used, then drop what a file system rejects.
        var lastComponent = name.Split('/', '\\').Last();
        var cleaned = new string(lastComponent.Where(c => !char.IsControl(c) && Array.IndexOf(Path.GetInvalidFileNameChars(), c) < 0 && c is not (':' or '*' or '?' or '"' or '<' or '>' or '|')).ToArray())
            .Trim().TrimStart('.').TrimEnd('.', ' ');
        if (cleaned.Length == 0)
        {
            return "Unknown";
        }

        var stem = cleaned.Split('.')[0];
        if (ReservedNames.Contains(stem))
        {
            cleaned = "_" + cleaned;
        }

        return Shorten(cleaned);
    }

    /// <summary>
    /// File systems limit a name to 255 bytes (ext4, APFS: UTF-8 bytes; NTFS: UTF-16 units, never more than the
    /// UTF-8 bytes): cut the stem at whole characters so the UTF-8 form fits, keeping a short extension.
    /// </summary>
    private static string Shorten(string name)
    {
        const int MaxBytes = 255;
        if (Encoding.UTF8.GetByteCount(name) <= MaxBytes)
        {
            return name;
        }

        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var stem = extension.Length > 0 ? name[..dot] : name;
        var budget = MaxBytes - Encoding.UTF8.GetByteCount(extension);
        var kept = new StringBuilder();
        var used = 0;
        foreach (var rune in stem.EnumerateRunes())
        {
            used += rune.Utf8SequenceLength;
            if (used > budget)
            {
                break;
            }

            kept.Append(rune.ToString());
        }

        return kept.ToString().TrimEnd('.', ' ') + extension;
    }
}
