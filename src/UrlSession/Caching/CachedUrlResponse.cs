namespace UrlSessions;

/// <summary>A response and its body as the cache keeps them.</summary>
/// <param name="Response">The response.</param>
/// <param name="Data">The body.</param>
/// <param name="StoragePolicy">Where it may be kept.</param>
public sealed record CachedUrlResponse(UrlResponse Response, ReadOnlyMemory<byte> Data, CacheStoragePolicy StoragePolicy = CacheStoragePolicy.Allowed);
