namespace UrlSessions;

// Upload tasks: a data task whose body comes from bytes, a file or the request's stream.
public sealed partial class UrlSession
{
    /// <summary>Creates an upload task that sends bytes as the body (Content-Length from their length). It starts suspended.</summary>
    /// <param name="request">The request; its own body, if any, is replaced.</param>
    /// <param name="body">The body; not copied, so leave it unchanged while the task runs.</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public UploadTask CreateUploadTask(UrlRequest request, ReadOnlyMemory<byte> body) =>
        NewUploadTask(WithBody(request, RequestBody.FromBytes(body)), DataTaskMode.Delegate, completionHandler: null, taskDelegate: null);

    /// <summary>Creates an upload task that sends bytes and hands the whole response body to a completion handler. It starts suspended.</summary>
    /// <param name="request">The request; its own body, if any, is replaced.</param>
    /// <param name="body">The body.</param>
    /// <param name="completionHandler">Called once with (data, response, error).</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public UploadTask CreateUploadTask(UrlRequest request, ReadOnlyMemory<byte> body, Action<byte[]?, UrlResponse?, UrlError?> completionHandler)
    {
        ArgumentNullException.ThrowIfNull(completionHandler);
        return NewUploadTask(WithBody(request, RequestBody.FromBytes(body)), DataTaskMode.CompletionHandler, completionHandler, taskDelegate: null);
    }

    /// <summary>
    /// Creates an upload task that sends a file, read as it is sent (Content-Length from its size; Content-Type from its
    /// extension unless the request sets one). A missing file fails the task with <see cref="UrlErrorCode.FileDoesNotExist"/>. It starts suspended.
    /// </summary>
    /// <param name="request">The request; its own body, if any, is replaced.</param>
    /// <param name="filePath">The file to send.</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public UploadTask CreateUploadTask(UrlRequest request, string filePath) =>
        NewUploadTask(WithBody(request, RequestBody.FromFile(filePath)), DataTaskMode.Delegate, completionHandler: null, taskDelegate: null);

    /// <summary>Creates an upload task that sends a file and hands the whole response body to a completion handler. It starts suspended.</summary>
    /// <param name="request">The request; its own body, if any, is replaced.</param>
    /// <param name="filePath">The file to send.</param>
    /// <param name="completionHandler">Called once with (data, response, error).</param>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public UploadTask CreateUploadTask(UrlRequest request, string filePath, Action<byte[]?, UrlResponse?, UrlError?> completionHandler)
    {
        ArgumentNullException.ThrowIfNull(completionHandler);
        return NewUploadTask(WithBody(request, RequestBody.FromFile(filePath)), DataTaskMode.CompletionHandler, completionHandler, taskDelegate: null);
    }

    /// <summary>
    /// Creates an upload task for a request whose <see cref="UrlRequest.Body"/> is set, typically a stream
    /// (<see cref="RequestBody.FromStream"/>): chunked unless the body states its length. A re-send asks
    /// <see cref="ISessionTaskDelegate.NeedNewBodyStreamAsync"/> for a new stream. It starts suspended.
    /// </summary>
    /// <param name="streamedRequest">The request with its body.</param>
    /// <exception cref="ArgumentException">The request has no body.</exception>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    public UploadTask CreateUploadTask(UrlRequest streamedRequest)
    {
        ArgumentNullException.ThrowIfNull(streamedRequest);
        if (streamedRequest.Body is null)
        {
            throw new ArgumentException("An upload task needs a request with a Body (for example RequestBody.FromStream).", nameof(streamedRequest));
        }

        return NewUploadTask(streamedRequest, DataTaskMode.Delegate, completionHandler: null, taskDelegate: null);
    }

    /// <summary>Sends bytes as the body and returns the whole response body and the response.</summary>
    /// <param name="request">The request; its own body, if any, is replaced.</param>
    /// <param name="body">The body.</param>
    /// <param name="taskDelegate">Receives this task's events (progress: <see cref="ISessionTaskDelegate.DidSendBodyData"/>).</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    /// <exception cref="UrlError">The upload failed.</exception>
    public Task<(byte[] Data, UrlResponse Response)> UploadAsync(UrlRequest request, ReadOnlyMemory<byte> body, ISessionTaskDelegate? taskDelegate = null, CancellationToken cancellationToken = default) =>
        RunCollectingAsync(NewUploadTask(WithBody(request, RequestBody.FromBytes(body)), DataTaskMode.Collect, completionHandler: null, taskDelegate), cancellationToken);

    /// <summary>Sends a file as the body and returns the whole response body and the response.</summary>
    /// <param name="request">The request; its own body, if any, is replaced.</param>
    /// <param name="filePath">The file to send.</param>
    /// <param name="taskDelegate">Receives this task's events (progress: <see cref="ISessionTaskDelegate.DidSendBodyData"/>).</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    /// <exception cref="UrlError">The upload failed.</exception>
    public Task<(byte[] Data, UrlResponse Response)> UploadAsync(UrlRequest request, string filePath, ISessionTaskDelegate? taskDelegate = null, CancellationToken cancellationToken = default) =>
        RunCollectingAsync(NewUploadTask(WithBody(request, RequestBody.FromFile(filePath)), DataTaskMode.Collect, completionHandler: null, taskDelegate), cancellationToken);

    private static UrlRequest WithBody(UrlRequest request, RequestBody body)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request with { Body = body };
    }

    private UploadTask NewUploadTask(UrlRequest request, DataTaskMode mode, Action<byte[]?, UrlResponse?, UrlError?>? completionHandler, ISessionTaskDelegate? taskDelegate)
    {
        ThrowIfInvalidated();
        return Track(UploadTask.Create(this, NextTaskIdentifier(), request, mode, completionHandler), taskDelegate);
    }
}
