using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace UrlSessions.IntegrationTests.Helpers;

/// <summary>
/// Answers every response with BecomeStream, trusts the loopback certificate, and records the stream task's events.
/// </summary>
public sealed class StreamRecorder(X509Certificate2 trusted) : ISessionDelegate, IDataTaskDelegate, IStreamTaskDelegate
{
    private readonly TaskCompletionSource<StreamTask> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(SessionTask Task, UrlError? Error)> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _readClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writeClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> Events => [.. _events];

    public Task<StreamTask> Stream => _stream.Task.Within();

    public Task<(SessionTask Task, UrlError? Error)> Completed => _completed.Task.Within();

    public Task ReadClosedSeen => _readClosed.Task.Within();

    public Task WriteClosedSeen => _writeClosed.Task.Within();

    public HttpUrlResponse? Response { get; private set; }

    public ConcurrentQueue<string?> Protocols { get; } = new();

    public void DidFinishCollectingMetrics(UrlSession session, SessionTask task, TaskMetrics metrics)
    {
        foreach (var transaction in metrics.Transactions)
        {
            Protocols.Enqueue(transaction.NetworkProtocolName);
        }
    }

    public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, AuthenticationChallenge challenge) =>
        ValueTask.FromResult(RecordingDelegate.Trust(trusted, challenge));

    public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
    {
        Response = (HttpUrlResponse)response;
        _events.Enqueue($"response {Response.StatusCode}");
        return ValueTask.FromResult(ResponseDisposition.BecomeStream);
    }

    public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data) => _events.Enqueue("data");

    public void DidBecomeStreamTask(UrlSession session, DataTask dataTask, StreamTask streamTask)
    {
        _events.Enqueue("became stream");
        _stream.TrySetResult(streamTask);
    }

    public void ReadClosed(UrlSession session, StreamTask task)
    {
        _events.Enqueue("read closed");
        _readClosed.TrySetResult();
    }

    public void WriteClosed(UrlSession session, StreamTask task)
    {
        _events.Enqueue("write closed");
        _writeClosed.TrySetResult();
    }

    public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
    {
        _events.Enqueue($"complete {task.GetType().Name}{(error is null ? string.Empty : " " + error.Code)}");
        _completed.TrySetResult((task, error));
    }
}
