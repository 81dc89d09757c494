namespace UrlSessions;

/// <summary>Which cookies the session stores from responses.</summary>
public enum CookieAcceptPolicy
{
    /// <summary>Store every cookie.</summary>
    Always,
    /// <summary>Store no cookie.</summary>
    Never,
    /// <summary>Store only cookies from the main document's domain.</summary>
    OnlyFromMainDocumentDomain,
}
