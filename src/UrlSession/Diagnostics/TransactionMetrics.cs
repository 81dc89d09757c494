namespace UrlSessions;

/// <summary>Timings of one request/response exchange within a task.</summary>
/// <param name="Request">The request as sent.</param>
/// <param name="Response">The response, or null when none arrived.</param>
/// <param name="FetchStart">When the request was handed to the connection layer.</param>
/// <param name="ResponseStart">When the response headers arrived, or null.</param>
/// <param name="ResponseEnd">When the response body ended, or null.</param>
/// <param name="NetworkProtocolName">The protocol ("http/1.1", "h2"), or null when no response arrived.</param>
public sealed record TransactionMetrics(UrlRequest Request, HttpUrlResponse? Response, DateTimeOffset FetchStart, DateTimeOffset? ResponseStart, DateTimeOffset? ResponseEnd, string? NetworkProtocolName);
