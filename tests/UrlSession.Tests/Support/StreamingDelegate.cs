using System.Collections.Concurrent;

namespace UrlSessions.Tests.Support;

/// <summary>Answers every response with a disposition (BecomeStream by default) and records the stream task's events in order.</summary>
internal sealed class StreamingDelegate : IDataTaskDelegate, IStreamTaskDelegate
{
    private readonly TaskCompletionSource<StreamTask> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(SessionTask Task, UrlError? Error)> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _readClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writeClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _invalidated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<string> Events { get; } = new();

    public ResponseDisposition Answer { get; init; } = ResponseDisposition.BecomeStream;

    public Task<StreamTask> Stream => _stream.Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>The first DidComplete: which task, and its error.</summary>
    public Task<(SessionTask Task, UrlError? Error)> Completed => _completed.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public Task ReadClosedSeen => _readClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public Task WriteClosedSeen => _writeClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public Task Invalidated => _invalidated.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public void DidBecomeInvalid(UrlSession session, Exception? error) => _invalidated.TrySetResult();

    public void DidCreateTask(UrlSession session, SessionTask task) => Events.Enqueue($"created {task.GetType().Name}");

    public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
    {
        Events.Enqueue("response");
        return ValueTask.FromResult(Answer);
    }

    public void DidBecomeStreamTask(UrlSession session, DataTask dataTask, StreamTask streamTask)
    {
        Events.Enqueue("became stream");
        _stream.TrySetResult(streamTask);
    }

    public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data) => Events.Enqueue("data");

    public void ReadClosed(UrlSession session, StreamTask task)
    {
        Events.Enqueue("read closed");
        _readClosed.TrySetResult();
    }

    public void WriteClosed(UrlSession session, StreamTask task)
    {
        Events.Enqueue("write closed");
        _writeClosed.TrySetResult();
    }

    public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
    {
        Events.Enqueue($"complete {task.GetType().Name}{(error is null ? string.Empty : " " + error.Code)}");
        _completed.TrySetResult((task, error));
    }
}
