using System.Security.Cryptography.X509Certificates;

namespace UrlSessions;

/// <summary>A credential: a user name and password, or a decision to trust a server certificate.</summary>
public sealed class UrlCredential
{
    private UrlCredential(string? user, string? password, X509Certificate2? serverTrust, CredentialPersistence persistence)
    {
        User = user;
        Password = password;
        ServerTrust = serverTrust;
        Persistence = persistence;
    }

    /// <summary>The user name, for password credentials.</summary>
    public string? User { get; }

    /// <summary>The password, for password credentials.</summary>
    public string? Password { get; }

    /// <summary>The server certificate to trust, for server-trust credentials.</summary>
    public X509Certificate2? ServerTrust { get; }

    /// <summary>How long the credential is kept.</summary>
    public CredentialPersistence Persistence { get; }

    /// <summary>A user name and password credential.</summary>
    /// <param name="user">The user name.</param>
    /// <param name="password">The password.</param>
    /// <param name="persistence">How long to keep it.</param>
    public static UrlCredential ForUser(string user, string password, CredentialPersistence persistence = CredentialPersistence.ForSession)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        return new UrlCredential(user, password, serverTrust: null, EnumArgument.Defined(persistence));
    }

    /// <summary>A credential that trusts exactly this server certificate (the answer to a server-trust challenge).</summary>
    /// <param name="serverCertificate">The certificate from the challenge.</param>
    public static UrlCredential ForTrust(X509Certificate2 serverCertificate)
    {
        ArgumentNullException.ThrowIfNull(serverCertificate);
        return new UrlCredential(user: null, password: null, serverCertificate, CredentialPersistence.None);
    }

    /// <summary>Names the user; the password is never shown.</summary>
    public override string ToString() => ServerTrust is not null ? $"UrlCredential(trust {ServerTrust.Subject})" : $"UrlCredential(user {User})";
}
