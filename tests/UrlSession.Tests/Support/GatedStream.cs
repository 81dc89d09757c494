using System.Threading.Channels;

namespace UrlSessions.Tests.Support;

/// <summary>
/// A response body the test feeds: reads block until <see cref="Feed"/> or <see cref="Finish"/>.
/// <see cref="WaitForBlockedReadAsync"/> tells when the reader is waiting for the n-th time.
/// </summary>
internal sealed class GatedStream : Stream
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private ReadOnlyMemory<byte> _leftover;
    private int _blockedReads;

    /// <summary>
    /// When set, a waiting read ignores its cancellation token and returns what the test feeds (or the end): a network
    /// read that had already completed when the task was cancelled, which is what races a cancellation in real life.
    /// </summary>
    public bool IgnoresCancellation { get; init; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>A response whose body is this stream; SendAsync returns before the body is complete.</summary>
    public HttpResponseMessage Response() => new(System.Net.HttpStatusCode.OK) { Content = new StreamContent(this) };

    public void Feed(byte[] bytes) => _chunks.Writer.TryWrite(bytes);

    public void Finish() => _chunks.Writer.TryComplete();

    /// <summary>The read waiting after the data fed so far throws <paramref name="error"/> (a connection that broke).</summary>
    public void Fail(Exception error) => _chunks.Writer.TryComplete(error);

    /// <summary>Completes once a read has found no data and waits, for the <paramref name="count"/>-th time.</summary>
    public Task WaitForBlockedReadAsync(int count)
    {
        lock (_lock)
        {
            if (_blockedReads >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_leftover.IsEmpty)
        {
            if (_chunks.Reader.TryRead(out var ready))
            {
                _leftover = ready;
                continue;
            }

            SignalBlocked();
            if (!await _chunks.Reader.WaitToReadAsync(IgnoresCancellation ? CancellationToken.None : cancellationToken))
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _leftover.Length);
        _leftover[..count].CopyTo(buffer);
        _leftover = _leftover[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void SignalBlocked()
    {
        List<TaskCompletionSource> due = [];
        lock (_lock)
        {
            _blockedReads++;
            _waiters.RemoveAll(w =>
            {
                if (w.Count <= _blockedReads)
                {
                    due.Add(w.Signal);
                    return true;
                }

                return false;
            });
        }

        due.ForEach(s => s.TrySetResult());
    }
}
