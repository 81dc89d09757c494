namespace UrlSessions;

/// <summary>Where a cached response may be kept.</summary>
public enum CacheStoragePolicy
{
    /// <summary>In memory and on disk.</summary>
    Allowed,
    /// <summary>In memory only.</summary>
    AllowedInMemoryOnly,
    /// <summary>Not at all.</summary>
    NotAllowed,
}
