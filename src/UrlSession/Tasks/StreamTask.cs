using System.Buffers;
using System.IO.Pipelines;

namespace UrlSessions;

/// <summary>
/// A task that reads a response's body as raw bytes when asked and, after <c>101 Switching Protocols</c>, writes to
/// the connection too: what a data task becomes after <see cref="ResponseDisposition.BecomeStream"/>.
/// </summary>
/// <remarks>
/// <para>The connection is read ahead into a window of at most 1 MiB; when it is full (nobody reads) or the task is
/// suspended, the task stops reading and TCP flow control holds the server back. Reads are served in the order they
/// were made, and so are writes.</para>
/// <para>The task completes, without error, once both sides are closed: the read side when a read returned the end of
/// the stream or <see cref="CloseRead"/> was called, the write side with <see cref="CloseWrite"/> (a task that cannot
/// write starts with it closed). The session's request (idle) timeout does not apply: every read and write has its
/// own; the resource timeout does.</para>
/// <para>A lost connection fails the task at once, as a socket error does: bytes read ahead but not yet read by the
/// caller are dropped, and every read and write throws the task's error.</para>
/// <para>SocketsHttpHandler exposes no half-close: <see cref="CloseWrite"/> ends this side's writes, but the server
/// sees the connection end only when the task completes.</para>
/// </remarks>
public sealed class StreamTask : SessionTask
{
    /// <summary>The most bytes read ahead of the caller; a read cannot ask for a larger minimum.</summary>
    public const int ReadAheadLimit = 1024 * 1024;

    private const int NetworkReadSize = 16 * 1024;

    private readonly Pipe _incoming = new(new PipeOptions(pauseWriterThreshold: ReadAheadLimit, resumeWriterThreshold: ReadAheadLimit / 2, useSynchronizationContext: false));
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Both sides closed (a result), or the connection failed while the read side was open (an exception).
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _ended = new();
    private readonly SemaphoreSlim _readTurn = new(1, 1);
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private readonly Lock _sides = new();
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

    private StreamTask(UrlSession session, long taskIdentifier, UrlRequest request, int statusCode)
        : base(session, taskIdentifier, request)
    {
        CanWrite = statusCode == 101;
        _writeDone = !CanWrite;
    }

    /// <summary>
    /// Whether the task can write: the server switched protocols (<c>101</c>), so the connection is the caller's. Other
    /// responses can only be read.
    /// </summary>
    public bool CanWrite { get; }

    internal static StreamTask Create(UrlSession session, long taskIdentifier, UrlRequest request, HttpUrlResponse response) =>
        new(session, taskIdentifier, request, response.StatusCode);

    /// <summary>
    /// Reads at least <paramref name="minLength"/> and at most <paramref name="maxLength"/> bytes, fewer only at the end
    /// of the stream. After the end (or <see cref="CloseRead"/>) reads made earlier return what is left with
    /// <c>AtEndOfStream</c> true.
    /// </summary>
    /// <param name="minLength">Bytes to wait for, from 0 (return what has arrived, maybe nothing) to <see cref="ReadAheadLimit"/>.</param>
    /// <param name="maxLength">The most bytes to return, at least 1 and at least <paramref name="minLength"/>.</param>
    /// <param name="timeout">How long to wait for <paramref name="minLength"/> bytes; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <param name="cancellationToken">Cancels this read (the task carries on).</param>
    /// <returns>The bytes, and whether the stream ended with them.</returns>
    /// <exception cref="UrlError">
    /// <see cref="UrlErrorCode.TimedOut"/> when the bytes did not arrive in time (the task carries on), or the task's
    /// error when it failed or was cancelled.
    /// </exception>
    /// <exception cref="InvalidOperationException"><see cref="CloseRead"/> was called before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<(byte[] Data, bool AtEndOfStream)> ReadDataAsync(int minLength, int maxLength, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minLength, ReadAheadLimit);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Math.Max(minLength, 1));
        ThrowIfInvalid(timeout);
        lock (_sides)
        {
            if (_readClosedByCaller)
            {
                throw new InvalidOperationException($"The read side of stream task {TaskIdentifier} was closed (CloseRead); it reads no more.");
            }
        }

        using var timer = StartTimer(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Cancellation.Token, _ended.Token, timer?.Token ?? default);
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
                throw new UrlError(UrlErrorCode.TimedOut, $"Stream task {TaskIdentifier} read from {UrlText.Safe(CurrentRequest?.Url)}: {minLength} bytes did not arrive within {timeout}.", CurrentRequest?.Url);
            }

            throw ErrorMapping.ToUrlError(ex, this);
        }
        finally
        {
            if (hasTurn)
            {
                _readTurn.Release();
            }
        }
    }

    /// <summary>
    /// Writes the bytes to the connection (only when <see cref="CanWrite"/>). A write that has begun cannot be taken
    /// back: when it times out or is cancelled, the task fails (the connection may hold part of it).
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <param name="timeout">How long the write may take; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <param name="cancellationToken">Cancels this write; once it has begun, cancelling fails the task.</param>
    /// <exception cref="UrlError"><see cref="UrlErrorCode.TimedOut"/>, a connection error, or the task's error when it failed or was cancelled.</exception>
    /// <exception cref="InvalidOperationException">The task cannot write (no <c>101</c>), or <see cref="CloseWrite"/> was called before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the write began.</exception>
    public async Task WriteDataAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(timeout);
        if (!CanWrite)
        {
            throw new InvalidOperationException($"Stream task {TaskIdentifier} cannot write: only a response that switches protocols (101) leaves the connection to the caller, and {UrlText.Safe(CurrentRequest?.Url)} answered {(Response as HttpUrlResponse)?.StatusCode}.");
        }

        lock (_sides)
        {
            if (_writeClosedByCaller)
            {
                throw new InvalidOperationException($"The write side of stream task {TaskIdentifier} was closed (CloseWrite); it writes no more.");
            }
        }

        using var timer = StartTimer(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Cancellation.Token, _ended.Token, timer?.Token ?? default);
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
            AddBytesSent(data.Length);
        }
        catch (Exception ex)
        {
            if (TaskEnded() is { } ended)
            {
                if (ended is UrlError endedWith)
                {
                    throw endedWith;
                }

                throw new InvalidOperationException($"Stream task {TaskIdentifier} completed; it writes no more.");
            }

            if (ex is OperationCanceledException && !writing && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var error = ex is OperationCanceledException && timer is { IsCancellationRequested: true }
                ? new UrlError(UrlErrorCode.TimedOut, $"Stream task {TaskIdentifier} could not write {data.Length} bytes to {UrlText.Safe(CurrentRequest?.Url)} within {timeout}.", CurrentRequest?.Url)
                : ex is OperationCanceledException
                    ? new UrlError(UrlErrorCode.Cancelled, $"A write of stream task {TaskIdentifier} to {UrlText.Safe(CurrentRequest?.Url)} was cancelled after it began.", CurrentRequest?.Url, ex)
                    : ErrorMapping.ToUrlError(ex, this);
            if (writing || !(ex is OperationCanceledException))
            {
                // Part of the bytes may be on the wire: the connection cannot be trusted with another write.
                Stop(error);
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

    /// <summary>
    /// Closes the read side: reads waiting now return what has arrived with <c>AtEndOfStream</c> true, later reads
    /// throw, and the task stops reading the connection. <see cref="IStreamTaskDelegate.ReadClosed"/> follows.
    /// </summary>
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
        MarkReadDone();
    }

    /// <summary>
    /// Closes the write side once the writes already made are done; later writes throw.
    /// <see cref="IStreamTaskDelegate.WriteClosed"/> follows (for a task that can write).
    /// </summary>
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

    private protected override TimeSpan AdoptedIdleTimeout(UrlRequest request) => Timeout.InfiniteTimeSpan;

    private protected override async Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response)
    {
        var body = await ResponseBodyOpener.OpenAsync(message.Content, Cancellation.Token).ConfigureAwait(false);
        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(Cancellation.Token);
        Volatile.Write(ref _connection, body.Stream);
        _connected.TrySetResult();
        var pump = PumpAsync(new BodyReader(body.Stream, this, stopPump.Token), stopPump.Token);
        try
        {
            await _closed.Task.WaitAsync(Cancellation.Token).ConfigureAwait(false);
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

    private protected override void OnCompleted(UrlError? error)
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
                failure = ErrorMapping.ToUrlError(ex, this);
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
        if (CanWrite && TaskEnded() is null && DelegateFor<IStreamTaskDelegate>(DelegateMember.WriteClosed) is { } target)
        {
            _ = Session.Dispatcher.Post(this, nameof(IStreamTaskDelegate.WriteClosed), static e => e.Target.WriteClosed(e.Task.Session, e.Task), (Target: target, Task: this));
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
            && DelegateFor<IStreamTaskDelegate>(DelegateMember.ReadClosed) is { } target)
        {
            _ = Session.Dispatcher.Post(this, nameof(IStreamTaskDelegate.ReadClosed), static e => e.Target.ReadClosed(e.Task.Session, e.Task), (Target: target, Task: this));
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
        if (!_ended.IsCancellationRequested && !Cancellation.IsCancellationRequested)
        {
            return null;
        }

        return Error ?? StopReason ?? (object)_ended;
    }

    private CancellationTokenSource? StartTimer(TimeSpan timeout) =>
        timeout == TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, Session.Services.TimeProvider);

    private static void ThrowIfInvalid(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A timeout is positive, zero or Timeout.InfiniteTimeSpan (no timeout).");
        }
    }
}
