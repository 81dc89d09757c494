using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>
/// Composes a session's exchange stages once, outermost first:
/// redirect loop → validation → cache → authentication → cookies → connectivity retry → expect-continue → transport.
/// Stages a session does not need (cookies off, not waiting for connectivity) are left out, not passed through.
/// </summary>
internal static class ExchangePipeline
{
    public static ExchangeStage Compose(SessionSettings settings, SessionServices services)
    {
        var head = new RedirectStage(settings);
        var tail = head.Then(new ValidationStage()).Then(new CacheStage()).Then(new AuthenticationStage(services));
        if (settings.HttpShouldSetCookies && services.HttpCookieStorage is not null)
        {
            tail = tail.Then(new CookieStage(settings, services));
        }

        if (settings.WaitsForConnectivity)
        {
            tail = tail.Then(new ConnectivityRetryStage(services.TimeProvider, services.Logger));
        }

        tail.Then(new ExpectContinueStage(settings, services.Logger)).Then(new TransportStage(settings.DefaultHeaders));
        return head;
    }

    /// <summary>The stages in order, outermost first (for tests and diagnostics).</summary>
    public static IReadOnlyList<ExchangeStage> Stages(ExchangeStage head)
    {
        var stages = new List<ExchangeStage>();
        for (ExchangeStage? stage = head; stage is not null; stage = stage.NextOrNull)
        {
            stages.Add(stage);
        }

        return stages;
    }
}
