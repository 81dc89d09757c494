namespace UrlSessions;

/// <summary>How long a credential is kept.</summary>
public enum CredentialPersistence
{
    /// <summary>Used for this request only.</summary>
    None,
    /// <summary>Kept in memory for the session's lifetime.</summary>
    ForSession,
    /// <summary>Kept in the credential storage.</summary>
    Permanent,
}
