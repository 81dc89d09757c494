using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace UrlSessions;

/// <summary>A request for authentication: a server-trust decision or an HTTP challenge (401/407).</summary>
public sealed class AuthenticationChallenge
{
    internal AuthenticationChallenge(ProtectionSpace protectionSpace, int previousFailureCount, HttpUrlResponse? failureResponse, UrlCredential? proposedCredential, X509Certificate2? serverCertificate, SslPolicyErrors sslPolicyErrors)
    {
        ProtectionSpace = protectionSpace;
        PreviousFailureCount = previousFailureCount;
        FailureResponse = failureResponse;
        ProposedCredential = proposedCredential;
        ServerCertificate = serverCertificate;
        SslPolicyErrors = sslPolicyErrors;
    }

    /// <summary>Who asks: host, port, scheme, realm and authentication method.</summary>
    public ProtectionSpace ProtectionSpace { get; }

    /// <summary>How many times this challenge already failed for the task.</summary>
    public int PreviousFailureCount { get; }

    /// <summary>The 401/407 response that carried the challenge, for HTTP challenges.</summary>
    public HttpUrlResponse? FailureResponse { get; }

    /// <summary>The credential the storage proposes, if any.</summary>
    public UrlCredential? ProposedCredential { get; }

    /// <summary>The server's certificate, for server-trust challenges.</summary>
    public X509Certificate2? ServerCertificate { get; }

    /// <summary>What the platform found wrong with the certificate, for server-trust challenges.</summary>
    public SslPolicyErrors SslPolicyErrors { get; }
}
