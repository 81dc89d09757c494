namespace UrlSessions;

/// <summary>How a request uses the URL cache (the values of <c>NSURLRequest.CachePolicy</c>).</summary>
public enum RequestCachePolicy
{
    /// <summary>Follow the HTTP caching rules (RFC 9111).</summary>
    UseProtocolCachePolicy,
    /// <summary>Ignore cached data; load from the network.</summary>
    ReloadIgnoringLocalCacheData,
    /// <summary>Ignore local and intermediate caches.</summary>
    ReloadIgnoringLocalAndRemoteCacheData,
    /// <summary>Use cached data whatever its age; load only when nothing is cached.</summary>
    ReturnCacheDataElseLoad,
    /// <summary>Use cached data whatever its age; never load from the network.</summary>
    ReturnCacheDataDontLoad,
    /// <summary>Use cached data only after the origin confirms it is still valid.</summary>
    ReloadRevalidatingCacheData,
}
