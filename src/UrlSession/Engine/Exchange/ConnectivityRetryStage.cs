using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace UrlSessions;

/// <summary>
/// <see cref="SessionConfiguration.WaitsForConnectivity"/>: a host that cannot be reached (connection refused, name
/// not resolved) is tried again with growing pauses — 1 s doubling to 30 s, no jitter — instead of failing, until it
/// answers or the resource timeout ends the task. The idle timeout does not count while waiting (as URLSession), and
/// the delegate hears <c>TaskIsWaitingForConnectivity</c> once per hop. A one-shot body stream cannot be sent twice,
/// so such a request is never retried. Composed only for sessions that wait for connectivity.
/// </summary>
internal sealed class ConnectivityRetryStage : ExchangeStage
{
    private static readonly ResiliencePropertyKey<ExchangeContext> ContextKey = new("UrlSessions.Exchange");
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly ILogger _logger;

    public ConnectivityRetryStage(TimeProvider time, ILogger logger)
    {
        _logger = logger;
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } failure

                    // A refused certificate or a delegate that failed while deciding is an answer, not missing connectivity.
                    && failure.InnerException is not (ServerTrustRejectedException or HttpRequestException or DelegateFailureException)
                    && args.Context.Properties.TryGetValue(ContextKey, out var exchange)
                    && !exchange.BodyWriteFailed),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                MaxRetryAttempts = int.MaxValue,
                OnRetry = OnRetry,
            })
            .Build();
    }

    public override ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context) =>
        context.Request.Body is { IsReplayable: false } ? Next.SendAsync(context) : SendRetryingAsync(context);

    private async ValueTask<HttpResponseMessage> SendRetryingAsync(ExchangeContext context)
    {
        var resilience = ResilienceContextPool.Shared.Get(context.Cancellation);
        resilience.Properties.Set(ContextKey, context);
        var waited = false;
        try
        {
            return await _retry.ExecuteAsync(
                static (resilience, stage) =>
                {
                    var exchange = resilience.Properties.GetValue(ContextKey, null!);
                    if (exchange.WaitingForConnectivity)
                    {
                        // The pause is over: the idle wait starts again with this try.
                        exchange.WaitingForConnectivity = false;
                        exchange.Host.ContinueIdleTimeout();
                    }

                    return stage.Next.SendAsync(exchange);
                },
                resilience,
                this).ConfigureAwait(false);
        }
        finally
        {
            waited = context.WaitingForConnectivity;
            context.WaitingForConnectivity = false;
            context.NotifiedWaiting = false;
            ResilienceContextPool.Shared.Return(resilience);
            if (waited)
            {
                context.Host.ContinueIdleTimeout();
            }
        }
    }

    private ValueTask OnRetry(OnRetryArguments<HttpResponseMessage> args)
    {
        var exchange = args.Context.Properties.GetValue(ContextKey, null!);
        if (!exchange.NotifiedWaiting)
        {
            exchange.NotifiedWaiting = true;
            exchange.Host.OnWaitingForConnectivity();
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.WaitingForConnectivity(_logger, exchange.TaskIdentifier, UrlText.Safe(exchange.Request.Url), args.RetryDelay.TotalSeconds);
        }

        exchange.WaitingForConnectivity = true;
        exchange.Host.PauseIdleTimeout();
        return ValueTask.CompletedTask;
    }
}
