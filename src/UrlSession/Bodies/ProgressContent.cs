using System.Buffers;
using System.Net;

namespace UrlSessions;

/// <summary>
/// Request content that reads the body as it is sent (never whole into memory), reports every chunk to the
/// task (CountOfBytesSent, DidSendBodyData, the idle timeout) and enforces a stated length exactly.
/// </summary>
internal sealed class ProgressContent : HttpContent
{
    private const int ChunkSize = 64 * 1024;
    private readonly RequestBody _body;
    private readonly ExchangeContext _exchange;
    private readonly Stream? _replacement;
    private readonly IRequestBodyProgress _progress;
    private readonly Uri _url;

    public ProgressContent(RequestBody body, ExchangeContext exchange)
    {
        _body = body;
        _exchange = exchange;
        _replacement = exchange.ReplacementBody;
        _progress = exchange.Host.BodyProgress;
        _url = exchange.Request.Url;
        if (body.Length is { } length)
        {
            Headers.ContentLength = length;
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // A Content-Length the caller set is a promise too: the body must keep it.
        var length = Headers.ContentLength ?? _body.Length;
        var source = _body.OpenRead(_replacement);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 1);
        try
        {
            _progress.OnBodySendStarted(length ?? -1);
            long total = 0;
            while (true)
            {
                // Suspend pauses an upload too: nothing more is read or sent until Resume. What was counted as sent goes
                // out first: HTTP/2 holds DATA frames in its write buffer until a flush.
                if (!_progress.CanSend)
                {
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    await _progress.WaitUntilSendableAsync(cancellationToken).ConfigureAwait(false);
                }

                var read = await ReadSourceAsync(source, buffer.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                // The last stated byte is held back until the source proves it has nothing more: once the server has
                // Content-Length bytes the request is whole to it, and a body that grew would be taken as complete.
                var isLast = total + read == length;
                if (total + read > length
                    || (isLast && await ReadSourceAsync(source, buffer.AsMemory(read, 1), cancellationToken).ConfigureAwait(false) > 0))
                {
                    throw new UrlError(UrlErrorCode.RequestBodyStreamExhausted, $"The body for {UrlText.Safe(_url)} is longer than its stated length of {length} bytes.", _url);
                }

                try
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Writing to the connection failed, not reading the body: typically the server answered early (413,
                    // 401) and closed the connection, which SocketsHttpHandler reports as a bare connection error.
                    _exchange.BodyWriteFailed = true;
                    throw;
                }

                total += read;
                _progress.OnBodyBytesSent(read);
                if (isLast)
                {
                    break;
                }
            }

            if (total < length)
            {
                throw new UrlError(UrlErrorCode.RequestBodyStreamExhausted, $"The body for {UrlText.Safe(_url)} ended after {total} bytes; its stated length is {length}.", _url);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (_body.OwnsOpenedStream)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<int> ReadSourceAsync(Stream source, Memory<byte> into, CancellationToken cancellationToken)
    {
        try
        {
            return await source.ReadAsync(into, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not UrlError && !cancellationToken.IsCancellationRequested)
        {
            // The body's source failed, not the network: say so, with its exception inside (an IOException would
            // otherwise read as a lost connection once SocketsHttpHandler wrapped it).
            throw new UrlError(UrlErrorCode.Unknown, $"Reading the request body for {UrlText.Safe(_url)} failed: {ex.Message}", _url, ex);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length ?? -1;
        return length >= 0;
    }
}
