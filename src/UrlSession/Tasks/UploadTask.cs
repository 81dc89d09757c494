namespace UrlSessions;

/// <summary>A data task whose request carries a body (bytes, a file or a stream); the response body is delivered like a data task's.</summary>
public sealed class UploadTask : DataTask
{
    private UploadTask(UrlSession session, long taskIdentifier, UrlRequest request, DataTaskMode mode, Action<byte[]?, UrlResponse?, UrlError?>? completionHandler)
        : base(session, taskIdentifier, request, mode, completionHandler)
    {
    }

    private protected override bool MeasuresUpload => true;

    internal static new UploadTask Create(UrlSession session, long taskIdentifier, UrlRequest request, DataTaskMode mode, Action<byte[]?, UrlResponse?, UrlError?>? completionHandler) =>
        new(session, taskIdentifier, request, mode, completionHandler);
}
