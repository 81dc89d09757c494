using System.Buffers;
using System.IO.Pipelines;

namespace UrlSessions;

/// <summary>
/// The duplex sink: a stream task's connection. Its read half reads the body ahead into a window of at most
/// <see cref="StreamTask.ReadAheadLimit"/> bytes served to <see cref="StreamTask.ReadDataAsync"/> in turn; its write half
/// writes to the upgraded connection in turn. The two halves share one lock and one "both sides closed" completion,
/// which ends the task's body stage.
/// </summary>
internal sealed class DuplexConnection
{
    private const int NetworkReadSize = 16 * 1024;

    private readonly Pipe _incoming = new(new PipeOptions(pauseWriterThreshold: StreamTask.ReadAheadLimit, resumeWriterThreshold: StreamTask.ReadAheadLimit / 2, useSynchronizationContext: false));
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Both sides closed (a result), or the connection failed while the read side was open (an exception).
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _ended = new();
    private readonly SemaphoreSlim _readTurn = new(1, 1);
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private readonly Lock _sides = new();
    private readonly StreamTask _task;
    private Stream? _connection;
    private bool _readClosedByCaller;
    private bool _readDone;
    private bool _readerCompleted;
    private bool _writeClosedByCaller;
    private bool _writeDone;
    private int _readClosedReported;

    // Set before the window learns of the failure, so a read that finds the window closed throws it rather than
    // reporting a clean end in the moment before the task completes with it.
    private UrlError? _connectionLost;

    public DuplexConnection(StreamTask task, bool canWrite)
    {
        _task = task;
        _writeDone = !canWrite;
    }

    /// <summary>See <see cref="StreamTask.ReadDataAsync"/>.</summary>
    public async Task<(byte[] Data, bool AtEndOfStream)> ReadAsync(int minLength, int maxLength, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minLength, StreamTask.ReadAheadLimit);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Math.Max(minLength, 1));
        ThrowIfInvalid(timeout);
        lock (_sides)
        {
            if (_readClosedByCaller)
            {
                throw new InvalidOperationException($"The read side of stream task {_task.TaskIdentifier} was closed (CloseRead); it reads no more.");
            }
        }

        using var timer = StartTimer(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _task.Cancellation.Token, _ended.Token, timer?.Token ?? default);
        var hasTurn = false;
        try
        {
            await _connected.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            await _readTurn.WaitAsync(linked.Token).ConfigureAwait(false);
            hasTurn = true;
            return await ReadInTurnAsync(minLength, maxLength, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            if (TaskEnded() is { } ended)
            {
                if (ended is UrlError error)
                {
                    throw error;
                }

                return ([], true);
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            if (ex is OperationCanceledException && timer is { IsCancellationRequested: true })
            {
                throw new UrlError(UrlErrorCode.TimedOut, $"Stream task {_task.TaskIdentifier} read from {UrlText.Safe(_task.CurrentRequest?.Url)}: {minLength} bytes did not arrive within {timeout}.", _task.CurrentRequest?.Url);
            }

            throw ErrorMapping.ToUrlError(ex, _task);
        }
        finally
        {
            if (hasTurn)
            {
                _readTurn.Release();
                if (ReadClosedByCaller)
                {
                    // CloseRead came while this read held the turn and left marking the read side done to it.
                    MarkReadDone();
                }
            }
        }
    }

    private bool ReadClosedByCaller
    {
        get
        {
            lock (_sides)
            {
                return _readClosedByCaller;
            }
        }
    }

    /// <summary>See <see cref="StreamTask.WriteDataAsync"/>.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfInvalid(timeout);
        if (!_task.CanWrite)
        {
            throw new InvalidOperationException($"Stream task {_task.TaskIdentifier} cannot write: only a response that switches protocols (101) leaves the connection to the caller, and {UrlText.Safe(_task.CurrentRequest?.Url)} answered {(_task.Response as HttpUrlResponse)?.StatusCode}.");
        }

        lock (_sides)
        {
            if (_writeClosedByCaller)
            {
                throw new InvalidOperationException($"The write side of stream task {_task.TaskIdentifier} was closed (CloseWrite); it writes no more.");
            }
        }

        using var timer = StartTimer(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _task.Cancellation.Token, _ended.Token, timer?.Token ?? default);
        var hasTurn = false;
        var writing = false;
        try
        {
            await _connected.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            await _writeTurn.WaitAsync(linked.Token).ConfigureAwait(false);
            hasTurn = true;
            if (TaskEnded() is not null)
            {
                throw new OperationCanceledException();
            }

            writing = true;
            await _connection!.WriteAsync(data, linked.Token).ConfigureAwait(false);
            await _connection.FlushAsync(linked.Token).ConfigureAwait(false);
            _task.AddBytesSent(data.Length);
        }
        catch (Exception ex)
        {
            if (TaskEnded() is { } ended)
            {
                if (ended is UrlError endedWith)
                {
                    throw endedWith;
                }

                throw new InvalidOperationException($"Stream task {_task.TaskIdentifier} completed; it writes no more.");
            }

            if (ex is OperationCanceledException && !writing && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var error = ex is OperationCanceledException && timer is { IsCancellationRequested: true }
                ? new UrlError(UrlErrorCode.TimedOut, $"Stream task {_task.TaskIdentifier} could not write {data.Length} bytes to {UrlText.Safe(_task.CurrentRequest?.Url)} within {timeout}.", _task.CurrentRequest?.Url)
                : ex is OperationCanceledException
                    ? new UrlError(UrlErrorCode.Cancelled, $"A write of stream task {_task.TaskIdentifier} to {UrlText.Safe(_task.CurrentRequest?.Url)} was cancelled after it began.", _task.CurrentRequest?.Url, ex)
                    : ErrorMapping.ToUrlError(ex, _task);
            if (writing || !(ex is OperationCanceledException))
            {
                // Part of the bytes may be on the wire: the connection cannot be trusted with another write.
                _task.Stop(error);
            }

            throw error;
        }
        finally
        {
            if (hasTurn)
            {
                _writeTurn.Release();
            }
        }
    }

    /// <summary>See <see cref="StreamTask.CloseRead"/>.</summary>
    public void CloseRead()
    {
        lock (_sides)
        {
            if (_readClosedByCaller)
            {
                return;
            }

            _readClosedByCaller = true;
        }

        _incoming.Reader.CancelPendingRead();
        ReportReadClosed();

        // A read holding the turn ends with what had arrived (its pending read returns cancelled) and marks the read
        // side done itself as it lets go of the turn: the task must not end under it, or the task's end would cancel
        // that read's token before it took its data. With no read in its turn, the side is done now.
        if (_readTurn.Wait(0))
        {
            try
            {
                MarkReadDone();
            }
            finally
            {
                _readTurn.Release();
            }
        }
    }

    /// <summary>See <see cref="StreamTask.CloseWrite"/>.</summary>
    public void CloseWrite()
    {
        lock (_sides)
        {
            if (_writeClosedByCaller)
            {
                return;
            }

            _writeClosedByCaller = true;
        }

        _ = CloseWriteAfterQueuedWritesAsync();
    }

    /// <summary>The task's body stage: connects the halves and runs until both sides are closed or the connection fails.</summary>
    public async Task RunAsync(HttpContent content)
    {
        var body = await ResponseBodyOpener.OpenAsync(content, _task.Cancellation.Token).ConfigureAwait(false);
        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(_task.Cancellation.Token);
        Volatile.Write(ref _connection, body.Stream);
        _connected.TrySetResult();
        var pump = PumpAsync(new BodyReader(body.Stream, _task, stopPump.Token), stopPump.Token);
        try
        {
            await _closed.Task.WaitAsync(_task.Cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            // Done with the connection: a read still waiting for the server (the read side was closed by the caller) ends.
            await stopPump.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            await body.DisposeAsync().ConfigureAwait(false);
            CompleteReaderIfIdle();
        }
    }

    /// <summary>The task completed: waiting and later reads and writes end.</summary>
    public void OnTaskCompleted()
    {
        _connected.TrySetCanceled();
        _ended.Cancel();
    }

    /// <summary>Reads the connection into the window until its end, a failure, or the task is done with it.</summary>
    private async Task PumpAsync(BodyReader connection, CancellationToken stop)
    {
        var writer = _incoming.Writer;
        Exception? failure = null;
        try
        {
            while (true)
            {
                var read = await connection.ReadAsync(writer.GetMemory(NetworkReadSize)).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                var flushed = await writer.FlushAsync(stop).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    return;
                }
            }

            ReportReadClosed();
        }
        catch (Exception ex)
        {
            failure = ex;
            if (!stop.IsCancellationRequested)
            {
                failure = ErrorMapping.ToUrlError(ex, _task);
                Volatile.Write(ref _connectionLost, (UrlError)failure);
            }
        }
        finally
        {
            // Reads waiting in the window see the failure (or the end) from here on.
            await writer.CompleteAsync(failure).ConfigureAwait(false);
        }

        bool readOpen;
        lock (_sides)
        {
            readOpen = !_readDone;
        }

        if (failure is not null && readOpen && !stop.IsCancellationRequested)
        {
            _closed.TrySetException(failure);
        }
    }

    private async Task<(byte[] Data, bool AtEndOfStream)> ReadInTurnAsync(int minLength, int maxLength, CancellationToken cancellationToken)
    {
        lock (_sides)
        {
            if (_readDone || _readerCompleted)
            {
                return Volatile.Read(ref _connectionLost) is { } lost ? throw lost : ([], true);
            }
        }

        var reader = _incoming.Reader;
        ReadResult result;
        if (minLength == 0)
        {
            if (!reader.TryRead(out result))
            {
                return ([], false);
            }
        }
        else
        {
            result = await reader.ReadAtLeastAsync(minLength, cancellationToken).ConfigureAwait(false);
        }

        var buffer = result.Buffer;
        var take = (int)Math.Min(buffer.Length, maxLength);
        var data = buffer.Slice(0, take).ToArray();
        reader.AdvanceTo(buffer.GetPosition(take));

        // Cancelled here means CloseRead: the read side ends with what had arrived.
        var atEnd = result.IsCanceled || (result.IsCompleted && take == buffer.Length);
        if (atEnd)
        {
            MarkReadDone();
        }

        return (data, atEnd);
    }

    private async Task CloseWriteAfterQueuedWritesAsync()
    {
        // Writes made before CloseWrite go first: they hold or queue for the turn ahead of this.
        await _writeTurn.WaitAsync().ConfigureAwait(false);
        _writeTurn.Release();
        if (_task.CanWrite && TaskEnded() is null && _task.DelegateFor<IStreamTaskDelegate>(DelegateMember.WriteClosed) is { } target)
        {
            _ = _task.Session.Dispatcher.Post(_task, nameof(IStreamTaskDelegate.WriteClosed), static e => e.Target.WriteClosed(e.Task.Session, e.Task), (Target: target, Task: _task));
        }

        lock (_sides)
        {
            _writeDone = true;
            if (_readDone)
            {
                _closed.TrySetResult();
            }
        }
    }

    private void MarkReadDone()
    {
        lock (_sides)
        {
            _readDone = true;
            if (_writeDone)
            {
                _closed.TrySetResult();
            }
        }
    }

    private void ReportReadClosed()
    {
        if (Interlocked.Exchange(ref _readClosedReported, 1) == 0 && TaskEnded() is null
            && _task.DelegateFor<IStreamTaskDelegate>(DelegateMember.ReadClosed) is { } target)
        {
            _ = _task.Session.Dispatcher.Post(_task, nameof(IStreamTaskDelegate.ReadClosed), static e => e.Target.ReadClosed(e.Task.Session, e.Task), (Target: target, Task: _task));
        }
    }

    /// <summary>Returns the window's buffers to the pool, unless a read still holds the reader (it then stays to the GC).</summary>
    private void CompleteReaderIfIdle()
    {
        if (!_readTurn.Wait(0))
        {
            return;
        }

        try
        {
            lock (_sides)
            {
                _readerCompleted = true;
            }

            _incoming.Reader.Complete();
        }
        finally
        {
            _readTurn.Release();
        }
    }

    /// <summary>Null while the task runs; once it was stopped or completed, its error, or a non-error marker after a clean end.</summary>
    private object? TaskEnded()
    {
        if (!_ended.IsCancellationRequested && !_task.Cancellation.IsCancellationRequested)
        {
            return null;
        }

        return _task.Error ?? _task.StopReason ?? (object)_ended;
    }

    private CancellationTokenSource? StartTimer(TimeSpan timeout) =>
        timeout == TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, _task.Session.Services.TimeProvider);

    private static void ThrowIfInvalid(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A timeout is positive, zero or Timeout.InfiniteTimeSpan (no timeout).");
        }
    }
}
