using System.Collections.Concurrent;

namespace UrlSessions;

/// <summary>A thread-safe store of responses by request URL.</summary>
/// <remarks>
/// This version is an in-memory store with the public shape of URLCache; the HTTP caching policy
/// (RFC 9111 freshness, validation) and disk storage arrive with the caching issue.
/// </remarks>
public sealed class UrlCache
{
    private readonly ConcurrentDictionary<string, CachedUrlResponse> _entries = new(StringComparer.Ordinal);

    /// <summary>The process-wide cache that default configurations use.</summary>
    public static UrlCache Shared { get; } = new();

    /// <summary>How many responses are stored.</summary>
    public int Count => _entries.Count;

    /// <summary>The cached response for a request, or null.</summary>
    /// <param name="request">The request.</param>
    public CachedUrlResponse? GetCachedResponse(UrlRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _entries.TryGetValue(Key(request), out var cached) ? cached : null;
    }

    /// <summary>Stores a response for a request unless its storage policy forbids it.</summary>
    /// <param name="cachedResponse">The response and body.</param>
    /// <param name="request">The request it answers.</param>
    public void StoreCachedResponse(CachedUrlResponse cachedResponse, UrlRequest request)
    {
        ArgumentNullException.ThrowIfNull(cachedResponse);
        ArgumentNullException.ThrowIfNull(request);
        if (cachedResponse.StoragePolicy != CacheStoragePolicy.NotAllowed)
        {
            _entries[Key(request)] = cachedResponse;
        }
    }

    /// <summary>Removes the cached response for a request.</summary>
    /// <param name="request">The request.</param>
    public void RemoveCachedResponse(UrlRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _entries.TryRemove(Key(request), out _);
    }

    /// <summary>Removes every cached response.</summary>
    public void RemoveAllCachedResponses() => _entries.Clear();

    private static string Key(UrlRequest request) => request.Url.AbsoluteUri;
}
