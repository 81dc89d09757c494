namespace UrlSessions;

/// <summary>
/// One step of sending a request, composed once per session into a chain (see <see cref="ExchangePipeline"/>), the
/// way SocketsHttpHandler composes its redirect and decompression handlers. A stage reads and sets the
/// <see cref="ExchangeContext"/>, calls the next stage any number of times (a loop that re-sends) or not at all (a
/// cache hit), and returns the response it settles on. It knows the request and the context, never a task.
/// </summary>
/// <remarks>
/// A stage with nothing to do after the next one returns should return <c>Next.SendAsync(context)</c> directly: no
/// state machine. Stages that await use pooled builders, so a request allocates no box per stage.
/// </remarks>
internal abstract class ExchangeStage
{
    private ExchangeStage? _next;

    /// <summary>The stage this one sends through; the transport stage has none.</summary>
    protected ExchangeStage Next => _next ?? throw new InvalidOperationException($"{GetType().Name} is the last stage and has no next one.");

    /// <summary>Sends the context's request and returns the response this stage settles on.</summary>
    public abstract ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context);

    internal ExchangeStage? NextOrNull => _next;

    internal ExchangeStage Then(ExchangeStage next)
    {
        _next = next;
        return next;
    }
}
