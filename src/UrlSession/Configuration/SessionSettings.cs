using System.Security.Authentication;

namespace UrlSessions;

/// <summary>
/// The values a session runs with, taken once from its <see cref="SessionConfiguration"/> by <see cref="From"/>:
/// checked across properties and normalized, then never changed (as SocketsHttpHandler's internal
/// HttpConnectionSettings). The objects a session shares by reference are in <see cref="SessionServices"/>.
/// </summary>
internal sealed class SessionSettings
{
    private SessionSettings()
    {
    }

    public required SessionKind Kind { get; init; }

    public required string? Identifier { get; init; }

    public required RequestCachePolicy RequestCachePolicy { get; init; }

    public required TimeSpan TimeoutIntervalForRequest { get; init; }

    public required TimeSpan TimeoutIntervalForResource { get; init; }

    /// <summary>The configuration's additional headers, as set.</summary>
    public required HeaderList HttpAdditionalHeaders { get; init; }

    /// <summary>
    /// What every request carries unless it sets the header itself: <see cref="HttpAdditionalHeaders"/>, then
    /// <c>User-Agent</c>, <c>Accept</c> and <c>Accept-Encoding</c> where those do not name them.
    /// </summary>
    public required HeaderList DefaultHeaders { get; init; }

    public required int HttpMaximumConnectionsPerHost { get; init; }

    public required bool HttpShouldSetCookies { get; init; }

    public required CookieAcceptPolicy HttpCookieAcceptPolicy { get; init; }

    public required bool WaitsForConnectivity { get; init; }

    public required bool IsDiscretionary { get; init; }

    public required bool SessionSendsLaunchEvents { get; init; }

    public required bool AllowsInsecureRedirects { get; init; }

    public required SslProtocols TlsMinimumSupportedProtocolVersion { get; init; }

    public required SslProtocols TlsMaximumSupportedProtocolVersion { get; init; }

    /// <summary>Every TLS version from the minimum to the maximum, as <c>SslClientAuthenticationOptions.EnabledSslProtocols</c> wants.</summary>
    public required SslProtocols EnabledSslProtocols { get; init; }

    /// <summary>The download folder as a full path without a trailing separator.</summary>
    public required string DownloadDirectory { get; init; }

    public required long? ExpectContinueThreshold { get; init; }

    /// <summary>The checks no single setter can make (TLS minimum ≤ maximum, header fields), then the values.</summary>
    /// <exception cref="ArgumentException">The TLS range is empty, or an additional header is malformed.</exception>
    public static SessionSettings From(SessionConfiguration configuration)
    {
        var tlsMinimum = configuration.TlsMinimumSupportedProtocolVersion;
        var tlsMaximum = configuration.TlsMaximumSupportedProtocolVersion;
        if (tlsMinimum > tlsMaximum)
        {
            throw new ArgumentException(
                $"TlsMinimumSupportedProtocolVersion ({tlsMinimum}) is above TlsMaximumSupportedProtocolVersion ({tlsMaximum}).");
        }

        foreach (var header in configuration.HttpAdditionalHeaders)
        {
            HeaderValidation.ThrowIfInvalid(header.Key, header.Value, nameof(SessionConfiguration.HttpAdditionalHeaders));
        }

        var additionalHeaders = HeaderList.From(configuration.HttpAdditionalHeaders);
        return new SessionSettings
        {
            Kind = configuration.Kind,
            Identifier = configuration.Identifier,
            RequestCachePolicy = configuration.RequestCachePolicy,
            TimeoutIntervalForRequest = configuration.TimeoutIntervalForRequest,
            TimeoutIntervalForResource = configuration.TimeoutIntervalForResource,
            HttpAdditionalHeaders = additionalHeaders,
            DefaultHeaders = WithDefaults(additionalHeaders),
            HttpMaximumConnectionsPerHost = configuration.HttpMaximumConnectionsPerHost,
            HttpShouldSetCookies = configuration.HttpShouldSetCookies,
            HttpCookieAcceptPolicy = configuration.HttpCookieAcceptPolicy,
            WaitsForConnectivity = configuration.WaitsForConnectivity,
            IsDiscretionary = configuration.IsDiscretionary,
            SessionSendsLaunchEvents = configuration.SessionSendsLaunchEvents,
            AllowsInsecureRedirects = configuration.AllowsInsecureRedirects,
            TlsMinimumSupportedProtocolVersion = tlsMinimum,
            TlsMaximumSupportedProtocolVersion = tlsMaximum,
            EnabledSslProtocols = TlsVersions.Range(tlsMinimum, tlsMaximum),
            DownloadDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(configuration.DownloadDirectory)),
            ExpectContinueThreshold = configuration.ExpectContinueThreshold,
        };
    }

    private static HeaderList WithDefaults(HeaderList headers)
    {
        if (!headers.Contains("User-Agent"))
        {
            headers = headers.Add("User-Agent", UserAgent.Default);
        }

        if (!headers.Contains("Accept"))
        {
            headers = headers.Add("Accept", "*/*");
        }

        if (!headers.Contains(ContentDecoding.AcceptEncodingHeader))
        {
            headers = headers.Add(ContentDecoding.AcceptEncodingHeader, ContentDecoding.AcceptEncodingValue);
        }

        return headers;
    }
}
