using System.Security.Authentication;

namespace UrlSessions;

internal static class TlsVersions
{
    // TLS 1.0 and 1.1 are deprecated (RFC 8996) and not offered.
    private static readonly SslProtocols[] Ordered = [SslProtocols.Tls12, SslProtocols.Tls13];

    public static SslProtocols ValidateSingle(SslProtocols value)
    {
        if (Array.IndexOf(Ordered, value) < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Name exactly one TLS version: Tls12 or Tls13 (TLS 1.0 and 1.1 are deprecated by RFC 8996).");
        }

        return value;
    }

    /// <summary>Every version from minimum to maximum, as SslClientAuthenticationOptions.EnabledSslProtocols wants.</summary>
    public static SslProtocols Range(SslProtocols minimum, SslProtocols maximum)
    {
        var range = SslProtocols.None;
        foreach (var version in Ordered)
        {
            if (version >= minimum && version <= maximum)
            {
                range |= version;
            }
        }

        return range;
    }
}
