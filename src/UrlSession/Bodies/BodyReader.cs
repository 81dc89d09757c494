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

    public static async Task<byte[]> ReadAllAsync(Stream body, SessionTask task, long expectedLength)
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
                var probe = new byte[1];
                var extra = await body.ReadAsync(probe, token).ConfigureAwait(false);
                if (extra == 0)
                {
                    return buffer;
                }

                // Double, but stop at a known length so a body that matches its Content-Length ends in an exact array.
                var grown = Math.Max(buffer.Length * 2L, InitialUnknownLengthBuffer);
                if (expectedLength > buffer.Length)
                {
                    grown = Math.Min(grown, expectedLength);
                }

                Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, grown));
                buffer[filled++] = probe[0];
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
