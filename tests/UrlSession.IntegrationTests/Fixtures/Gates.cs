using System.Collections.Concurrent;
using System.Threading.Channels;

namespace UrlSessions.IntegrationTests.Fixtures;

/// <summary>/stall?id=: the server sent headers and a first chunk (<see cref="Started"/>) and waits for <see cref="Release"/>.</summary>
public sealed class StallGate
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Started => _started.Task;

    /// <summary>The server's handler ended (it finished or the client went away).</summary>
    public Task Ended => _ended.Task;

    internal Task Released => _release.Task;

    public void Release() => _release.TrySetResult();

    internal void MarkStarted() => _started.TrySetResult();

    internal void MarkEnded() => _ended.TrySetResult();
}

/// <summary>/slow?id=: the server writes one chunk per <see cref="Send"/> and ends the body on <see cref="End"/>.</summary>
public sealed class SlowGate
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _written;
    private TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Started => _started.Task;

    public int ChunksWritten => Volatile.Read(ref _written);

    /// <summary>Queues a chunk; the returned task completes once the server wrote and flushed it.</summary>
    public Task Send(byte[] chunk)
    {
        var flushed = Volatile.Read(ref _flushed).Task;
        _chunks.Writer.TryWrite(chunk);
        return flushed;
    }

    public void End() => _chunks.Writer.TryComplete();

    internal ChannelReader<byte[]> Chunks => _chunks.Reader;

    internal void MarkStarted() => _started.TrySetResult();

    internal void MarkFlushed()
    {
        Interlocked.Increment(ref _written);
        var previous = Interlocked.Exchange(ref _flushed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}

/// <summary>/connections?id=: counts concurrent requests of one group; each waits for <see cref="Release"/>.</summary>
public sealed class ConnectionProbe
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _connections = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _maxInFlight;

    public int MaxInFlight
    {
        get
        {
            lock (_lock)
            {
                return _maxInFlight;
            }
        }
    }

    public int DistinctConnections
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    public void Release() => _release.TrySetResult();

    /// <summary>Completes when this many requests are in flight at once.</summary>
    public Task InFlightReached(int count)
    {
        lock (_lock)
        {
            if (_inFlight >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, waiter));
            return waiter.Task;
        }
    }

    internal async Task<int> EnterAsync(string connectionId, CancellationToken aborted)
    {
        int now;
        lock (_lock)
        {
            _connections.Add(connectionId);
            now = ++_inFlight;
            _maxInFlight = Math.Max(_maxInFlight, now);
            foreach (var waiter in _waiters.Where(w => w.Count <= now).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        try
        {
            await _release.Task.WaitAsync(aborted);
        }
        finally
        {
            lock (_lock)
            {
                _inFlight--;
            }
        }

        return now;
    }
}

/// <summary>Gates and probes by id, so tests running in parallel never share one.</summary>
public sealed class GateRegistry
{
    private readonly ConcurrentDictionary<string, StallGate> _stalls = new();
    private readonly ConcurrentDictionary<string, SlowGate> _slows = new();
    private readonly ConcurrentDictionary<string, ConnectionProbe> _probes = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();

    public StallGate Stall(string id) => _stalls.GetOrAdd(id, _ => new StallGate());

    public SlowGate Slow(string id) => _slows.GetOrAdd(id, _ => new SlowGate());

    public ConnectionProbe Connections(string id) => _probes.GetOrAdd(id, _ => new ConnectionProbe());

    /// <summary>How many requests carrying ?probe=id reached the server.</summary>
    public int Hits(string id) => _hits.TryGetValue(id, out var count) ? count : 0;

    internal void Hit(string id) => _hits.AddOrUpdate(id, 1, (_, count) => count + 1);

    public static string NewId() => Guid.NewGuid().ToString("N");
}
