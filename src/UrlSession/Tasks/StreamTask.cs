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

    private readonly DuplexConnection _duplex;

    private StreamTask(UrlSession session, long taskIdentifier, UrlRequest request, int statusCode)
        : base(session, taskIdentifier, request)
    {
        CanWrite = statusCode == 101;
        _duplex = new DuplexConnection(this, CanWrite);
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
    public Task<(byte[] Data, bool AtEndOfStream)> ReadDataAsync(int minLength, int maxLength, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _duplex.ReadAsync(minLength, maxLength, timeout, cancellationToken);

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
    public Task WriteDataAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _duplex.WriteAsync(data, timeout, cancellationToken);

    /// <summary>
    /// Closes the read side: reads waiting now return what has arrived with <c>AtEndOfStream</c> true, later reads
    /// throw, and the task stops reading the connection. <see cref="IStreamTaskDelegate.ReadClosed"/> follows.
    /// </summary>
    public void CloseRead() => _duplex.CloseRead();

    /// <summary>
    /// Closes the write side once the writes already made are done; later writes throw.
    /// <see cref="IStreamTaskDelegate.WriteClosed"/> follows (for a task that can write).
    /// </summary>
    public void CloseWrite() => _duplex.CloseWrite();

    private protected override TimeSpan AdoptedIdleTimeout(UrlRequest request) => Timeout.InfiniteTimeSpan;

    private protected override Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response) => _duplex.RunAsync(message.Content);

    private protected override void OnCompleted(UrlError? error) => _duplex.OnTaskCompleted();
}
