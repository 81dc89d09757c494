using System.Buffers;
using System.Runtime.CompilerServices;

namespace UrlSessions;

/// <summary>
/// The memory sink: reads a whole body into one array (completion handlers, DataAsync) without a pipe, the fastest path
/// for small bodies; or reads it to nobody (a delegate task whose delegate takes no data).
/// </summary>
internal static class MemorySink
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
        var reader = new BodyReader(body, task, task.Cancellation.Token);
        if (expectedLength > Array.MaxLength)
        {
            throw new UrlError(UrlErrorCode.DataLengthExceedsMaximum, $"The response from {UrlText.Safe(task.CurrentRequest?.Url)} is {expectedLength} bytes, more than one array can hold; use a delegate or BytesAsync to stream it.", task.CurrentRequest?.Url);
        }

        // With a known length up to MaxUpfrontBuffer the array is exact and the common case copies nothing afterwards.
        var buffer = expectedLength >= 0 ? new byte[Math.Min(expectedLength, MaxUpfrontBuffer)] : new byte[InitialUnknownLengthBuffer];
        var filled = 0;
        while (true)
        {
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
                    if (await reader.ReadAsync(probe.AsMemory(0, 1)).ConfigureAwait(false) == 0)
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
                continue;
            }

            var read = await reader.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
            if (read == 0)
            {
                return filled == buffer.Length ? buffer : buffer[..filled];
            }

            filled += read;
        }
    }

    public static async Task<byte[]?> DiscardAsync(Stream body, SessionTask task)
    {
        var reader = new BodyReader(body, task, task.Cancellation.Token);
        var buffer = new byte[DiscardBuffer];
        while (await reader.ReadAsync(buffer).ConfigureAwait(false) != 0)
        {
        }

        return null;
    }
}
