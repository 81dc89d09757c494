using System.Runtime.CompilerServices;

namespace UrlSessions;

/// <summary>
/// The one step every response-body loop reads the network with: wait while the task is suspended (its gate), read,
/// count what arrived (<c>CountOfBytesReceived</c>, and the idle timeout's timestamp). A read of 0 is the body's end
/// and counts nothing.
/// </summary>
/// <remarks>
/// A struct over the body, its task and the token its loop stops with: it lives in the loop's state machine and
/// allocates nothing. A read that completes at once (gate open, bytes already there) is counted without an async frame;
/// a read that waits (on the gate or the network) goes through a pooled one, since the loops await it in turn.
/// </remarks>
internal readonly struct BodyReader(Stream body, SessionTask task, CancellationToken token)
{
    /// <summary>Completes at once while the task runs; while it is suspended, when it resumes (or the token is cancelled).</summary>
    public Task WaitWhileSuspendedAsync() => WaitWhileSuspendedAsync(task, token);

    /// <summary>
    /// Gate → read → count: the bytes read into <paramref name="buffer"/>, 0 at the end of the body. The returned task
    /// is completed exactly when the read needed no wait, which the file sink uses to tell "data is here" from "the
    /// network has nothing right now".
    /// </summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var gate = task.Gate.WaitAsync();
        return gate.IsCompleted ? ReadAndCount(body, task, buffer, token) : ReadAfterGateAsync(gate, body, task, buffer, token);
    }

    /// <summary>The gate alone: request bodies pass it too (before every piece sent).</summary>
    public static Task WaitWhileSuspendedAsync(SessionTask task, CancellationToken token)
    {
        var gate = task.Gate.WaitAsync();
        return gate.IsCompleted ? gate : gate.WaitAsync(token);
    }

    private static ValueTask<int> ReadAndCount(Stream body, SessionTask task, Memory<byte> buffer, CancellationToken token)
    {
        var read = body.ReadAsync(buffer, token);
        if (!read.IsCompletedSuccessfully)
        {
            return CountWhenReadAsync(read, task);
        }

        var count = read.Result;
        if (count > 0)
        {
            task.OnBodyBytesReceived(count);
        }

        return new ValueTask<int>(count);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> CountWhenReadAsync(ValueTask<int> read, SessionTask task)
    {
        var count = await read.ConfigureAwait(false);
        if (count > 0)
        {
            task.OnBodyBytesReceived(count);
        }

        return count;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ReadAfterGateAsync(Task gate, Stream body, SessionTask task, Memory<byte> buffer, CancellationToken token)
    {
        await gate.WaitAsync(token).ConfigureAwait(false);
        return await ReadAndCount(body, task, buffer, token).ConfigureAwait(false);
    }
}
