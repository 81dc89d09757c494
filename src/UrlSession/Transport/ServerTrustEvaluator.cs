using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>
/// Opens the session's connections (<see cref="SocketsHttpHandler.ConnectCallback"/>) and, for https, runs the TLS
/// handshake itself so a server-trust challenge can be answered asynchronously: no thread waits for the delegate.
/// </summary>
/// <remarks>
/// SocketsHttpHandler skips its own TLS when the connect callback returns an <see cref="SslStream"/> and reads
/// HTTP/2 from its negotiated ALPN, so the options here mirror the handler's (SNI, ALPN by request version, TLS
/// range). The validation callback only records the certificate and the platform's verdict; after the handshake,
/// before any request byte is written, the delegate decides: the task's own delegate, else the session delegate's
/// session-level method, else its task-level one (URLSession's order). Each connection attempt is decided on its own
/// and a refusal fails that attempt only: a later connection asks again. TLS the handler runs itself (through a proxy
/// tunnel) keeps the platform's verdict.
/// </remarks>
internal sealed class ServerTrustEvaluator(UrlSession session)
{
    /// <summary>The task a request message belongs to, so the connection it opens knows whose delegate to ask.</summary>
    internal static readonly HttpRequestOptionsKey<SessionTask> TaskOption = new("UrlSessions.SessionTask");

    private const string Member = nameof(ISessionDelegate.DidReceiveChallengeAsync);
    private static readonly List<SslApplicationProtocol> Http2OrHttp11 = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
    private static readonly List<SslApplicationProtocol> Http2Only = [SslApplicationProtocol.Http2];

    private ILogger Logger => session.Services.Logger;

    /// <summary>Whether a delegate answers server-trust challenges for this task's connections (else the platform decides).</summary>
    public static bool AsksDelegate(UrlSession session, SessionTask task) =>
        DelegateInspector.Implements(task.Delegate, DelegateMember.TaskDidReceiveChallenge)
        || DelegateInspector.Implements(session.Delegate, DelegateMember.SessionDidReceiveChallenge | DelegateMember.TaskDidReceiveChallenge);

    /// <summary>The connect callback: TCP, then for a direct https connection the handshake and the trust decision.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var network = new NetworkStream(socket, ownsSocket: true);
        var request = context.InitialRequestMessage;
        if (request.RequestUri is not { } url || !IsOriginTls(context.DnsEndPoint, url))
        {
            // Plain http, or a connection to a proxy: the handler runs any TLS itself.
            return network;
        }

        request.Options.TryGetValue(TaskOption, out var task);
        var attempt = new Attempt(this, url.IdnHost, Responder(task));
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            var options = ClientOptions(request, session.Settings.EnabledSslProtocols);
            options.RemoteCertificateValidationCallback = attempt.Capture;
            try
            {
                await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException ex) when (attempt.PlatformRejection is { } rejection && attempt.Responder is null)
            {
                throw new ServerTrustRejectedException(rejection.Code, rejection.Reason, ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The handler wraps whatever the callback throws as a connection error; this says it was TLS.
                throw new HttpRequestException(HttpRequestError.SecureConnectionError, $"The TLS handshake with {url.IdnHost}:{url.Port} failed: {ex.Message}", ex);
            }

            if (attempt.Responder is { } responder)
            {
                await DecideAsync(attempt, responder, ProtectionSpace.For(url, realm: null, ProtectionSpace.AuthenticationMethodServerTrust), cancellationToken).ConfigureAwait(false);
            }

            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What the platform's objection means as an error code; "not yet valid" or "expired" by the session's clock.</summary>
    internal Rejection Classify(SslPolicyErrors errors, X509Chain? chain)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return new(UrlErrorCode.ServerCertificateUntrusted, "its name does not match the host");
        }

        var status = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
        if ((status & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            var now = session.Services.TimeProvider.GetUtcNow().UtcDateTime;
            var notYetValid = chain?.ChainElements.Count > 0 && chain.ChainElements[0].Certificate.NotBefore.ToUniversalTime() > now;
            return notYetValid
                ? new(UrlErrorCode.ServerCertificateNotYetValid, "it is not valid yet")
                : new(UrlErrorCode.ServerCertificateHasBadDate, "it has expired");
        }

        if ((status & X509ChainStatusFlags.UntrustedRoot) != 0)
        {
            return new(UrlErrorCode.ServerCertificateUntrusted, "it is self-signed or chains to an untrusted root");
        }

        if ((status & X509ChainStatusFlags.PartialChain) != 0)
        {
            return new(UrlErrorCode.ServerCertificateHasUnknownRoot, "its chain ends at an unknown root");
        }

        return new(UrlErrorCode.ServerCertificateUntrusted, errors.ToString());
    }

    /// <summary>The delegate's answer applied: null when the connection is trusted, else why not.</summary>
    internal static Rejection? Verdict(ChallengeResponse answer, X509Certificate2? certificate, Rejection? platformRejection) => answer.Disposition switch
    {
        AuthChallengeDisposition.UseCredential => answer.Credential?.ServerTrust is { } accepted && certificate is not null && accepted.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)
            ? null
            : platformRejection ?? new(UrlErrorCode.ServerCertificateUntrusted, "the delegate's credential does not trust this certificate"),
        AuthChallengeDisposition.CancelAuthenticationChallenge => new(UrlErrorCode.Cancelled, "the delegate cancelled the server-trust challenge"),
        // There is no other protection space to try for server trust: rejecting it leaves the platform's verdict.
        _ => platformRejection,
    };

    /// <summary>The handshake options SocketsHttpHandler would use for this request (it offers h2 by the same rule).</summary>
    internal static SslClientAuthenticationOptions ClientOptions(HttpRequestMessage request, SslProtocols protocols) => new()
    {
        TargetHost = SniHost(request),
        EnabledSslProtocols = protocols,
        ApplicationProtocols = request.Version.Major >= 2 && request.VersionPolicy != HttpVersionPolicy.RequestVersionOrLower ? Http2Only
            : request.Version.Major >= 2 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher ? Http2OrHttp11
            : null,
    };

    /// <summary>The handler's TLS host name: the Host header's host when the request sets one, else the URL's.</summary>
    private static string SniHost(HttpRequestMessage request)
    {
        if (request.Headers.Host is not { Length: > 0 } host)
        {
            return request.RequestUri!.IdnHost;
        }

        var end = host.StartsWith('[') ? host.IndexOf(']') + 1 : host.IndexOf(':');
        return end > 0 && end < host.Length ? host[..end] : host;
    }

    private static bool IsOriginTls(DnsEndPoint endPoint, Uri url) =>
        (string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) || string.Equals(url.Scheme, Uri.UriSchemeWss, StringComparison.OrdinalIgnoreCase))
        && endPoint.Port == url.Port && string.Equals(endPoint.Host, url.IdnHost, StringComparison.OrdinalIgnoreCase);

    private async Task DecideAsync(Attempt attempt, Func<AuthenticationChallenge, Task<ChallengeResponse>> responder, ProtectionSpace space, CancellationToken cancellationToken)
    {
        var challenge = new AuthenticationChallenge(space, previousFailureCount: 0, failureResponse: null, proposedCredential: null, attempt.Certificate, attempt.Errors);
        var answer = await responder(challenge).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Verdict(answer, attempt.Certificate, attempt.PlatformRejection) is { } rejection)
        {
            Log.CertificateRejected(Logger, attempt.Host, attempt.Errors);
            throw new ServerTrustRejectedException(rejection.Code, rejection.Reason);
        }
    }

    /// <summary>
    /// Who answers: the task's own delegate's task-level method, else the session delegate's session-level method, else
    /// its task-level one (that one needs the task); null when nobody does and the platform decides alone.
    /// </summary>
    private Func<AuthenticationChallenge, Task<ChallengeResponse>>? Responder(SessionTask? task)
    {
        if (task?.Delegate is { } own && DelegateInspector.Implements(own, DelegateMember.TaskDidReceiveChallenge))
        {
            return challenge => task.AskDelegateAsync(Member, () => own.DidReceiveChallengeAsync(session, task, challenge));
        }

        if (session.Delegate is { } shared && DelegateInspector.Implements(shared, DelegateMember.SessionDidReceiveChallenge))
        {
            // Through the task when it is known: the idle timeout then does not run while the delegate decides.
            return challenge => task is null
                ? session.Dispatcher.Ask(Member, () => shared.DidReceiveChallengeAsync(session, challenge))
                : task.AskDelegateAsync(Member, () => shared.DidReceiveChallengeAsync(session, challenge));
        }

        if (task is not null && session.Delegate is ISessionTaskDelegate fallback && DelegateInspector.Implements(fallback, DelegateMember.TaskDidReceiveChallenge))
        {
            return challenge => task.AskDelegateAsync(Member, () => fallback.DidReceiveChallengeAsync(session, task, challenge));
        }

        return null;
    }

    internal sealed record Rejection(UrlErrorCode Code, string Reason);

    /// <summary>One connection attempt's view of the server certificate, taken in the validation callback.</summary>
    private sealed class Attempt(ServerTrustEvaluator owner, string host, Func<AuthenticationChallenge, Task<ChallengeResponse>>? responder)
    {
        public string Host { get; } = host;

        public Func<AuthenticationChallenge, Task<ChallengeResponse>>? Responder { get; } = responder;

        public X509Certificate2? Certificate { get; private set; }

        public SslPolicyErrors Errors { get; private set; }

        public Rejection? PlatformRejection { get; private set; }

        public bool Capture(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            // The chain is disposed once the callback returns: classify now, decide after the handshake.
            Errors = errors;
            PlatformRejection = errors == SslPolicyErrors.None ? null : owner.Classify(errors, chain);
            if (Responder is not null)
            {
                // A copy: the delegate may keep it after the stream (and its certificate) is gone.
                Certificate = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return true;
            }

            if (PlatformRejection is not null)
            {
                Log.CertificateRejected(owner.Logger, Host, errors);
            }

            return PlatformRejection is null;
        }
    }
}
