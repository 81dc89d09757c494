namespace UrlSessions;

/// <summary>A server or realm that requires authentication: host, port, scheme, realm and method.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Port">The port.</param>
/// <param name="Protocol">The URL scheme ("http" or "https").</param>
/// <param name="Realm">The realm the server named, or null.</param>
/// <param name="AuthenticationMethod">The method: one of the <c>AuthenticationMethod…</c> constants.</param>
public sealed record ProtectionSpace(string Host, int Port, string Protocol, string? Realm, string AuthenticationMethod)
{
    /// <summary>HTTP Basic authentication (RFC 7617).</summary>
    public const string AuthenticationMethodHttpBasic = "HTTPBasic";

    /// <summary>HTTP Digest authentication.</summary>
    public const string AuthenticationMethodHttpDigest = "HTTPDigest";

    /// <summary>A challenge to decide whether the server's TLS certificate is trusted.</summary>
    public const string AuthenticationMethodServerTrust = "ServerTrust";

    /// <summary>The server asks for a client certificate.</summary>
    public const string AuthenticationMethodClientCertificate = "ClientCertificate";

    /// <summary>Any other scheme the server named in WWW-Authenticate.</summary>
    public const string AuthenticationMethodDefault = "Default";

    /// <summary>The protection space of a URL for an authentication method.</summary>
    internal static ProtectionSpace For(Uri url, string? realm, string method) => new(url.IdnHost, url.Port, url.Scheme, realm, method);
}
