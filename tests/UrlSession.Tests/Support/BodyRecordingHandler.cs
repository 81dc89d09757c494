using System.Collections.Concurrent;

namespace UrlSessions.Tests.Support;

/// <summary>
/// A handler that reads each request's body the way a server would and answers through a script. MockHttp's async
/// responders hang when content throws, so body tests that expect failures use this.
/// </summary>
internal sealed class BodyRecordingHandler(Func<RecordedRequest, HttpResponseMessage> respond) : HttpMessageHandler
{
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var recorded = new RecordedRequest(request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.ToString(), request.Content?.Headers.ContentLength, body);
        Requests.Enqueue(recorded);
        return respond(recorded);
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Url, string? ContentType, long? ContentLength, byte[]? Body);
