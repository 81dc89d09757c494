namespace UrlSessions;

/// <summary>The three kinds of session, chosen by the configuration's factory.</summary>
public enum SessionKind
{
    /// <summary>Persists cache, cookies and credentials on disk.</summary>
    Default,
    /// <summary>Keeps everything in memory and purges it when the session is invalidated.</summary>
    Ephemeral,
    /// <summary>Hands transfers to a separate agent process so they continue after the app exits.</summary>
    Background,
}
