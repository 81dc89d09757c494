namespace UrlSessions.Samples.QuickTour;

/// <summary>A per-task delegate that logs each redirect hop and follows it as proposed.</summary>
internal sealed class RedirectLogger : ISessionTaskDelegate
{
    public ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest)
    {
        Tour.Print($"[redirect] {response.StatusCode} {response.Url.PathAndQuery} -> {newRequest.Method} {newRequest.Url.PathAndQuery}");
        return ValueTask.FromResult<UrlRequest?>(newRequest); // null would stop here and deliver the 3xx as the response
    }
}
