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
            return url.OriginalString;
        }

        if (url.UserInfo.Length == 0)
        {
            return url.AbsoluteUri;
        }

        return new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri;
    }
}
