using System.Collections.Concurrent;
using System.Net;

namespace UrlSessions.Tests.Engine.Exchange;

/// <summary>A host that records what the stages tell it and answers decisions as a test scripts them.</summary>
internal sealed class FakeExchangeHost : IExchangeHost, IRequestBodyProgress
{
    public ConcurrentQueue<string> Events { get; } = new();

    public Func<HttpUrlResponse, UrlRequest, UrlRequest?> Redirect { get; set; } = (_, proposed) => proposed;

    public Func<AuthenticationChallenge, ChallengeResponse> Challenge { get; set; } = _ => ChallengeResponse.PerformDefaultHandling;

    public Func<Stream?> NewBodyStream { get; set; } = () => null;

    public int CancelCount { get; private set; }

    public long BytesSent { get; private set; }

    public IRequestBodyProgress BodyProgress => this;

    public bool CanSend => true;

    public void OnRequestChanged(UrlRequest request) => Events.Enqueue($"request {request.Method} {request.Url}");

    public void AnnotateRequest(HttpRequestMessage message) => Events.Enqueue("annotate");

    public void OnSendStarted(UrlRequest request) => Events.Enqueue($"send {request.Method} {request.Url}");

    public void OnResponseHeaders(UrlRequest request, HttpResponseMessage message) => Events.Enqueue($"response {(int)message.StatusCode}");

    public void OnSendFailed(UrlRequest request, Exception exception) => Events.Enqueue($"failed {exception.GetType().Name}");

    public void OnRedirected(int status, UrlRequest next) => Events.Enqueue($"redirected {status}");

    public ValueTask<UrlRequest?> DecideRedirectAsync(HttpUrlResponse response, UrlRequest proposed) => new(Redirect(response, proposed));

    public ValueTask<ChallengeResponse> DecideChallengeAsync(AuthenticationChallenge challenge)
    {
        Events.Enqueue($"challenge {challenge.ProtectionSpace.Realm} #{challenge.PreviousFailureCount}");
        return new(Challenge(challenge));
    }

    public ValueTask<Stream?> NeedNewBodyStreamAsync()
    {
        Events.Enqueue("need new body stream");
        return new(NewBodyStream());
    }

    public void OnWaitingForConnectivity() => Events.Enqueue("waiting for connectivity");

    public void PauseIdleTimeout() => Events.Enqueue("pause idle");

    public void ContinueIdleTimeout() => Events.Enqueue("continue idle");

    public void Cancel() => CancelCount++;

    public ValueTask WaitUntilSendableAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void OnBodySendStarted(long expectedLength) => BytesSent = 0;

    public void OnBodyBytesSent(int count) => BytesSent += count;

    public static ExchangeContext Context(UrlRequest request, FakeExchangeHost? host = null, HttpMessageInvoker? invoker = null, CancellationToken cancellation = default)
    {
        var context = new StandaloneContext(host ?? new FakeExchangeHost(), cancellation)
        {
            Invoker = invoker ?? new HttpMessageInvoker(new HttpClientHandler()),
            OriginalUrl = request.Url,
        };
        context.Begin(request);
        return context;
    }

    /// <summary>A context of its own for a stage under test (a task's runner is its own context).</summary>
    private sealed class StandaloneContext(IExchangeHost host, CancellationToken cancellation) : ExchangeContext
    {
        public override IExchangeHost Host => host;

        public override long TaskIdentifier => 1;

        public override CancellationToken Cancellation => cancellation;
    }
}

/// <summary>The stage under test's next stage: answers each send as the test scripts it and records what it was sent.</summary>
internal sealed class ScriptedStage(Func<ExchangeContext, int, HttpResponseMessage> answer) : ExchangeStage
{
    public List<(UrlRequest Request, UrlCredential? Credential, string? Cookie, bool ExpectContinue, Stream? Replacement)> Sends { get; } = [];

    public static ScriptedStage Always(HttpStatusCode status) => new((_, _) => new HttpResponseMessage(status));

    public override ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context)
    {
        Sends.Add((context.Request, context.Credential, context.CookieHeader, context.ExpectContinue, context.ReplacementBody));
        try
        {
            return new(answer(context, Sends.Count));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<HttpResponseMessage>(ex);
        }
    }

    /// <summary>Puts <paramref name="stage"/> in front of this one.</summary>
    public T Behind<T>(T stage)
        where T : ExchangeStage
    {
        stage.Then(this);
        return stage;
    }
}
