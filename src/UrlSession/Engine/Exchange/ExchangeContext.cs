using System.Diagnostics;

namespace UrlSessions;

/// <summary>
/// One task's exchange: the request being sent and the per-send state the stages hand down to the transport. The
/// task's runner is its context (one object per task: a small GET's allocations are budgeted), so what it already
/// knows — host, identifier, cancellation — is abstract here rather than stored twice. The stages of one exchange run
/// one at a time, so nothing here needs a lock.
/// </summary>
internal abstract class ExchangeContext
{
    private HttpUrlResponse? _finalResponse;

    /// <summary>Who the exchange sends for: decisions, progress and timing go there.</summary>
    public abstract IExchangeHost Host { get; }

    /// <summary>The task's number, for logs.</summary>
    public abstract long TaskIdentifier { get; }

    public abstract CancellationToken Cancellation { get; }

    /// <summary>The connection pool this task sends on (one handler generation for its whole life).</summary>
    public HttpMessageInvoker Invoker { get; set; } = null!;

    /// <summary>Where the task started: headers bound to an origin stay with it.</summary>
    public Uri OriginalUrl { get; set; } = null!;

    /// <summary>The request of the current hop.</summary>
    public UrlRequest Request { get; set; } = null!;

    /// <summary>The answer to the current hop's challenge, sent with the request (set by the authentication stage).</summary>
    public UrlCredential? Credential { get; set; }

    /// <summary>The Cookie header for the current send (set by the cookie stage).</summary>
    public string? CookieHeader { get; set; }

    /// <summary>Ask for <c>100-continue</c> before sending the body (set by the expect-continue stage).</summary>
    public bool ExpectContinue { get; set; }

    /// <summary>A fresh stream for a one-shot body that must be sent again (from the delegate).</summary>
    public Stream? ReplacementBody { get; set; }

    /// <summary>The last send failed while writing its body to the connection (not while reading it).</summary>
    public bool BodyWriteFailed { get; set; }

    /// <summary>The exchange is pausing until the host can be reached (the idle timeout is paused meanwhile).</summary>
    public bool WaitingForConnectivity { get; set; }

    /// <summary>The delegate heard that this hop waits for connectivity.</summary>
    public bool NotifiedWaiting { get; set; }

    /// <summary>The final response, once the exchange returned it.</summary>
    public HttpUrlResponse? FinalResponse
    {
        get => _finalResponse;
        set
        {
            _finalResponse = value;
            if (value is not null)
            {
                OnFinalResponse(value);
            }
        }
    }

    /// <summary>The one-shot body that was already sent once: from its next send on the delegate must supply a new stream.</summary>
    public RequestBody? SentStreamBody { get; set; }

    /// <summary>The exchange settled on its final response (the task's runner takes it as the task's response at once).</summary>
    protected virtual void OnFinalResponse(HttpUrlResponse response)
    {
    }

    /// <summary>Starts an exchange of <paramref name="request"/> (the first hop).</summary>
    public void Begin(UrlRequest request)
    {
        Debug.Assert(request is not null, "An exchange sends a request.");
        Request = request;
        Credential = null;
        FinalResponse = null;
    }
}
