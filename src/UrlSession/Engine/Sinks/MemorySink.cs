using System.Buffers;
using System.Runtime.CompilerServices;

namespace UrlSessions;

/// <summary>Reads a whole body into one array (completion handlers, DataAsync) without a pipe: the fastest path for small bodies.</summary>
internal static class BodyReader
{
    /// <summary>
    /// The most a body buffer gets before its bytes arrive: a Content-Length is the server's claim, and trusting
    /// it up front would let a 4-byte response claiming 2 GB allocate 2 GB. Larger bodies grow as bytes arrive.
    /// </summary>
    internal const int MaxUpfrontBuffer = 1024 * 1024;

    private const int InitialUnknownLengthBuffer = 16 * 1024;
    private const int DiscardBuffer = 64 * 1024;

    // Pooled builder: awaited once by its caller, and the box is reused across tasks.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<byte[]> ReadAllAsync(Stream body, SessionTask task, long expectedLength)
    {
        var token = task.Cancellation.Token;
        if (expectedLength > Array.MaxLength)
        {
            throw new UrlError(UrlErrorCode.DataLengthExceedsMaximum, $"The response from {UrlText.Safe(task.CurrentRequest?.Url)} is {expectedLength} bytes, more than one array can hold; use a delegate or BytesAsync to stream it.", task.CurrentRequest?.Url);
        }

        // With a known length up to MaxUpfrontBuffer the array is exact and the common case copies nothing afterwards.
        var buffer = expectedLength >= 0 ? new byte[Math.Min(expectedLength, MaxUpfrontBuffer)] : new byte[InitialUnknownLengthBuffer];
        var filled = 0;
        while (true)
        {
            await WaitWhileSuspendedAsync(task, token).ConfigureAwait(false);
            if (filled == buffer.Length)
            {
                if (filled == Array.MaxLength)
                {
                    throw new UrlError(UrlErrorCode.DataLengthExceedsMaximum, $"The response from {UrlText.Safe(task.CurrentRequest?.Url)} is longer than one array can hold; use a delegate or BytesAsync to stream it.", task.CurrentRequest?.Url);
                }

                // Probe before growing: a body that ends exactly at the expected length needs no copy.
                // The probe byte comes from the pool: every small body with a known length ends up here once.
                var probe = ArrayPool<byte>.Shared.Rent(1);
                byte probed;
                try
                {
                    if (await body.ReadAsync(probe.AsMemory(0, 1), token).ConfigureAwait(false) == 0)
                    {
                        return buffer;
                    }

                    probed = probe[0];
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(probe);
                }

                // Double, but stop at a known length so a body that matches its Content-Length ends in an exact array.
                var grown = Math.Max(buffer.Length * 2L, InitialUnknownLengthBuffer);
                if (expectedLength > buffer.Length)
                {
                    grown = Math.Min(grown, expectedLength);
                }

                Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, grown));
                buffer[filled++] = probed;
                task.OnBodyBytesReceived(1);
                continue;
            }

            var read = await body.ReadAsync(buffer.AsMemory(filled), token).ConfigureAwait(false);
            if (read == 0)
            {
                return filled == buffer.Length ? buffer : buffer[..filled];
            }

            filled += read;
            task.OnBodyBytesReceived(read);
        }
    }

    public static async Task<byte[]?> DiscardAsync(Stream body, SessionTask task)
    {
        var token = task.Cancellation.Token;
        var buffer = new byte[DiscardBuffer];
        while (true)
        {
            await WaitWhileSuspendedAsync(task, token).ConfigureAwait(false);
            var read = await body.ReadAsync(buffer, token).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            task.OnBodyBytesReceived(read);
        }
    }

    public static Task WaitWhileSuspendedAsync(SessionTask task, CancellationToken token)
    {
        var gate = task.Gate.WaitAsync();
        return gate.IsCompleted ? gate : gate.WaitAsync(token);
    }
}
