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
            if (challenge.ServerCertificate is { } certificate && certificate.RawDataMemory.Span.SequenceEqual(trusted.RawDataMemory.Span))
            {
                return ValueTask.FromResult(new ChallengeResponse(AuthChallengeDisposition.UseCredential, UrlCredential.ForTrust(certificate)));
            }
        }

        return ValueTask.FromResult(ChallengeResponse.PerformDefaultHandling);
    }
}
