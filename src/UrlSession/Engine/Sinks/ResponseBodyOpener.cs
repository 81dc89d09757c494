namespace UrlSessions;

/// <summary>
/// The one place a response body is opened: the handler's stream (chunked or Content-Length framing happens inside it),
/// wrapped in the decoders its <c>Content-Encoding</c> names (<see cref="ContentDecoding"/>). Every task kind reads
/// its body through this, and disposes the <see cref="OpenedBody"/> when done.
/// </summary>
internal static class ResponseBodyOpener
{
    public static ValueTask<OpenedBody> OpenAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // The handler's own content opens synchronously: no async frame for the common case.
        var opening = ContentDecoding.OpenAsync(content, cancellationToken);
        return opening.IsCompletedSuccessfully ? new ValueTask<OpenedBody>(Decode(content, opening.Result)) : OpenSlowAsync(content, opening);
    }

    private static async ValueTask<OpenedBody> OpenSlowAsync(HttpContent content, ValueTask<Stream> opening) =>
        Decode(content, await opening.ConfigureAwait(false));

    private static OpenedBody Decode(HttpContent content, Stream raw) => new(raw, ContentDecoding.Decode(content, raw));
}
