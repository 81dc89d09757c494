namespace UrlSessions;

/// <summary>
/// Rejects header fields that would split or smuggle a request on the wire (RFC 9110 §5.1, §5.5):
/// a name must be a token, a value must not hold CR, LF or NUL.
/// </summary>
internal static class HeaderValidation
{
    public static string? FindProblem(string name, string value)
    {
        if (name.Length == 0)
        {
            return "a header name is empty";
        }

        foreach (var c in name)
        {
            if (!IsTokenChar(c))
            {
                return $"the header name '{Printable(name)}' holds the character U+{(int)c:X4}, which a header name cannot hold";
            }
        }

        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            return $"the value of header '{name}' holds CR, LF or NUL, which would split the request";
        }

        return null;
    }

    public static void ThrowIfInvalid(string name, string value, string parameterName)
    {
        var problem = FindProblem(name, value);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid header: {problem}.", parameterName);
        }
    }

    private static bool IsTokenChar(char c) =>
        c is > ' ' and < (char)0x7F && "\"(),/:;<=>?@[\\]{}".IndexOf(c) < 0;

    private static string Printable(string s) =>
        string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
