using System.Security.Cryptography.X509Certificates;

namespace UrlSessions.IntegrationTests.Helpers;

/// <summary>A session delegate that trusts exactly one server certificate (the loopback server's).</summary>
public sealed class TrustingDelegate(X509Certificate2 trusted) : RecordingDelegate, ISessionDelegate
{
    private int _challenges;

    public int ServerTrustChallenges => Volatile.Read(ref _challenges);

    public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, AuthenticationChallenge challenge)
    {
        if (challenge.ProtectionSpace.AuthenticationMethod == ProtectionSpace.AuthenticationMethodServerTrust)
        {
            Interlocked.Increment(ref _challenges);
        }

        return ValueTask.FromResult(Answer(trusted, challenge));
    }

    /// <summary>Trusts <paramref name="trusted"/> alone, else default handling; for delegates that cannot derive from this one.</summary>
    public static ChallengeResponse Answer(X509Certificate2 trusted, AuthenticationChallenge challenge) =>
        challenge.ProtectionSpace.AuthenticationMethod == ProtectionSpace.AuthenticationMethodServerTrust
            && challenge.ServerCertificate is { } certificate && certificate.RawDataMemory.Span.SequenceEqual(trusted.RawDataMemory.Span)
            ? new ChallengeResponse(AuthChallengeDisposition.UseCredential, UrlCredential.ForTrust(certificate))
            : ChallengeResponse.PerformDefaultHandling;
}
