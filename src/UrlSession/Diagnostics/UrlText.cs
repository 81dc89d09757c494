namespace UrlSessions;

/// <summary>URLs as they may appear in messages and logs: without user-info.</summary>
internal static class UrlText
{
    public static string Safe(Uri? url)
    {
        if (url is null)
        {
            return "(no URL)";
        }

        if (!url.IsAbsoluteUri)
        {
            return WithoutUserInfo(url.OriginalString);
        }

        if (url.UserInfo.Length == 0)
        {
            return url.AbsoluteUri;
        }

        return new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri;
    }

    /// <summary>A protocol-relative reference ("//user:password@host/path") has an authority, and with it user-info.</summary>
    private static string WithoutUserInfo(string relative)
    {
        if (!relative.StartsWith("//", StringComparison.Ordinal))
        {
            return relative;
        }

        var authorityEnd = relative.IndexOfAny(['/', '?', '#'], 2);
        if (authorityEnd < 0)
        {
            authorityEnd = relative.Length;
        }

        var at = relative.LastIndexOf('@', authorityEnd - 1, authorityEnd - 2);
        return at < 0 ? relative : string.Concat("//", relative.AsSpan(at + 1));
    }
}
