using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>
/// Decides whether a server certificate is trusted: the platform's verdict, or the session delegate's
/// answer to a server-trust challenge when it implements <see cref="ISessionDelegate.DidReceiveChallengeAsync"/>.
/// </summary>
/// <remarks>
/// SocketsHttpHandler validates per connection, not per request, so the challenge goes to the session-level
/// delegate (URLSession does the same when it implements the session-level method). The validation callback
/// is synchronous: it waits for the delegate's answer on the handshake's thread. A rejection is remembered by
/// host so the failing task can report <see cref="UrlErrorCode.ServerCertificateUntrusted"/> (or a more precise
/// code) instead of a generic TLS failure.
/// </remarks>
internal sealed class ServerTrustEvaluator(UrlSession session)
{
    private readonly ConcurrentDictionary<string, Rejection> _rejections = new(StringComparer.OrdinalIgnoreCase);

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var host = (sender as SslStream)?.TargetHostName ?? string.Empty;
        var trusted = errors == SslPolicyErrors.None;
        if (session.Delegate is { } sessionDelegate && DelegateInspector.Implements(sessionDelegate, DelegateMember.SessionDidReceiveChallenge))
        {
            var serverCertificate = certificate as X509Certificate2 ?? (certificate is null ? null : new X509Certificate2(certificate));
            var challenge = new AuthenticationChallenge(
                new ProtectionSpace(host, 443, "https", null, ProtectionSpace.AuthenticationMethodServerTrust),
                previousFailureCount: 0,
                failureResponse: null,
                proposedCredential: null,
                serverCertificate,
                errors);
            var answer = session.Dispatcher
                .Ask(nameof(ISessionDelegate.DidReceiveChallengeAsync), () => sessionDelegate.DidReceiveChallengeAsync(session, challenge))
                .GetAwaiter().GetResult();
            trusted = answer.Disposition switch
            {
                AuthChallengeDisposition.UseCredential => answer.Credential?.ServerTrust is { } accepted && serverCertificate is not null && accepted.RawDataMemory.Span.SequenceEqual(serverCertificate.RawDataMemory.Span),
                AuthChallengeDisposition.PerformDefaultHandling => trusted,
                _ => false,
            };
        }

        if (!trusted)
        {
            Log.CertificateRejected(session.Logger, host, errors);
            _rejections[host] = Classify(errors, chain);
        }

        return trusted;
    }

    public Rejection? TakeRejection(string host) => _rejections.TryRemove(host, out var rejection) ? rejection : null;

    private static Rejection Classify(SslPolicyErrors errors, X509Chain? chain)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return new(UrlErrorCode.ServerCertificateUntrusted, "its name does not match the host");
        }

        var status = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
        if ((status & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            var notYetValid = chain?.ChainElements.Count > 0 && chain.ChainElements[0].Certificate.NotBefore.ToUniversalTime() > DateTime.UtcNow;
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

        return errors == SslPolicyErrors.None
            ? new(UrlErrorCode.ServerCertificateUntrusted, "the session delegate rejected it")
            : new(UrlErrorCode.ServerCertificateUntrusted, errors.ToString());
    }

    internal sealed record Rejection(UrlErrorCode Code, string Reason);
}
