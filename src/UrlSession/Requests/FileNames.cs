using System.Globalization;
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

        // filename* (RFC 8187 encoded) wins over filename, as RFC 6266 §4.3 asks; one that cannot be decoded is ignored.
        var star = disposition.Parameters.FirstOrDefault(p => p.Name.Equals("filename*", StringComparison.OrdinalIgnoreCase))?.Value;
        var plain = disposition.Parameters.FirstOrDefault(p => p.Name.Equals("filename", StringComparison.OrdinalIgnoreCase))?.Value;

        // A quoted filename is unquoted here (its quoted-pairs resolved); FileName still decodes RFC 2047 words (=?utf-8?B?…?=).
        var name = (star is null ? null : DecodeExtendedValue(star))
            ?? (plain is not null && plain.StartsWith('"') && !plain.Contains("=?", StringComparison.Ordinal) ? Unquote(plain) : Unquote(disposition.FileName));
        return string.IsNullOrWhiteSpace(name) ? null : name;
    }

    /// <summary>A quoted-string without its quotes and with its quoted-pairs (<c>\x</c>) resolved (RFC 9110 §5.6.4).</summary>
    private static string? Unquote(string? value)
    {
        if (value is not { Length: >= 2 } || value[0] != '"' || value[^1] != '"')
        {
            return value?.Trim('"');
        }

        var unquoted = new StringBuilder(value.Length);
        for (var i = 1; i < value.Length - 1; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length - 1)
            {
                i++;
            }

            unquoted.Append(value[i]);
        }

        return unquoted.ToString();
    }

    /// <summary>RFC 8187 <c>charset'language'pct-encoded</c> (UTF-8 or ISO-8859-1), or null when it is not valid.</summary>
    private static string? DecodeExtendedValue(string value)
    {
        var parts = value.Split('\'', 3);
        if (parts.Length != 3)
        {
            return null;
        }

        Encoding? encoding = parts[0].ToUpperInvariant() switch
        {
            "UTF-8" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
            "ISO-8859-1" => Encoding.Latin1,
            _ => null,
        };
        if (encoding is null)
        {
            return null;
        }

        var encoded = parts[2];
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    return null;
                }

                bytes.Add(b);
                i += 2;
            }
            else if (c > 0x20 && c < 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                return null;
            }
        }

        try
        {
            return encoding.GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
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

    // Direction overrides and isolates make "gpj.exe" display as "exe.jpg": a file-name spoofing trick.
    private static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    public static string Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Unknown";
        }

        // Keep only the last component whatever separator the server used, then drop what a file system rejects.
        var lastComponent = name.Split('/', '\\').Last();
        var cleaned = new string(lastComponent.Where(c => !char.IsControl(c) && !IsBidiControl(c) && Array.IndexOf(Path.GetInvalidFileNameChars(), c) < 0 && c is not (':' or '*' or '?' or '"' or '<' or '>' or '|')).ToArray())
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
