using System.Net;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace UrlSessions;

/// <summary>
/// The settings a <see cref="UrlSession"/> is created with: timeouts, headers, connection limits, TLS,
/// proxy and the cache, cookie and credential stores.
/// </summary>
/// <remarks>
/// A configuration is the caller's object: change it freely. A session takes what it needs when it is
/// created, so later changes affect only sessions created afterwards (URLSessionConfiguration's NSCopying behaviour). Stores, proxy, logger factory, time provider and
/// handler factory are shared by reference, as URLSession shares its storage objects.
/// </remarks>
public sealed class SessionConfiguration
{
    /// <summary>The default idle timeout between bytes: 60 seconds.</summary>
    public static readonly TimeSpan DefaultTimeoutIntervalForRequest = TimeSpan.FromSeconds(60);

    /// <summary>The default bound on a whole task: 7 days.</summary>
    public static readonly TimeSpan DefaultTimeoutIntervalForResource = TimeSpan.FromDays(7);

    private RequestCachePolicy _requestCachePolicy;
    private TimeSpan _timeoutIntervalForRequest = DefaultTimeoutIntervalForRequest;
    private TimeSpan _timeoutIntervalForResource = DefaultTimeoutIntervalForResource;
    private IDictionary<string, string> _httpAdditionalHeaders = NewHeaderDictionary();
    private int _httpMaximumConnectionsPerHost = 6;
    private bool _httpShouldSetCookies = true;
    private CookieAcceptPolicy _httpCookieAcceptPolicy = CookieAcceptPolicy.OnlyFromMainDocumentDomain;
    private CookieStorage? _httpCookieStorage;
    private CredentialStorage? _urlCredentialStorage;
    private UrlCache? _urlCache;
    private bool _waitsForConnectivity;
    private bool _isDiscretionary;
    private bool _sessionSendsLaunchEvents = true;
    private bool _allowsInsecureRedirects;
    private IWebProxy? _proxy;
    private SslProtocols _tlsMinimumSupportedProtocolVersion = SslProtocols.Tls12;
    private SslProtocols _tlsMaximumSupportedProtocolVersion = SslProtocols.Tls13;
    private ILoggerFactory? _loggerFactory;
    private TimeProvider _timeProvider = TimeProvider.System;
    private Func<HttpMessageHandler>? _httpMessageHandlerFactory;
    private string _downloadDirectory = DefaultDownloadDirectory;
    private long? _expectContinueThreshold;
    private EphemeralStores? _ephemeralStores;

    private SessionConfiguration(SessionKind kind, string? identifier)
    {
        Kind = kind;
        Identifier = identifier;
    }

    /// <summary>A new default configuration using the process-wide shared stores; every get returns a new object.</summary>
    public static SessionConfiguration Default => new(SessionKind.Default, identifier: null)
    {
        _httpCookieStorage = CookieStorage.Shared,
        _urlCredentialStorage = CredentialStorage.Shared,
        _urlCache = UrlCache.Shared,
    };

    /// <summary>
    /// A new ephemeral configuration; every get returns a new object. Its stores live in memory only, are shared by
    /// the sessions created from it (or from its copies) and are emptied when the last of those is invalidated.
    /// </summary>
    public static SessionConfiguration Ephemeral
    {
        get
        {
            var stores = new EphemeralStores(new CookieStorage(), new CredentialStorage(), new UrlCache());
            return new(SessionKind.Ephemeral, identifier: null)
            {
                _httpCookieStorage = stores.Cookies,
                _urlCredentialStorage = stores.Credentials,
                _urlCache = stores.Cache,
                _ephemeralStores = stores,
            };
        }
    }

    /// <summary>A new background configuration with the given identifier.</summary>
    /// <param name="identifier">Names the background session. Background transfers are not built yet: the session runs in process, like a default one.</param>
    /// <exception cref="ArgumentException"><paramref name="identifier"/> is null, empty or white space.</exception>
    public static SessionConfiguration Background(string identifier)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identifier);
        var configuration = Default;
        return new SessionConfiguration(SessionKind.Background, identifier)
        {
            _httpCookieStorage = configuration._httpCookieStorage,
            _urlCredentialStorage = configuration._urlCredentialStorage,
            _urlCache = configuration._urlCache,
        };
    }

    /// <summary>Which kind of session this configuration creates.</summary>
    public SessionKind Kind { get; }

    /// <summary>The background session's identifier; null for default and ephemeral configurations.</summary>
    public string? Identifier { get; }

    /// <summary>The cache policy of requests that do not set their own.</summary>
    public RequestCachePolicy RequestCachePolicy
    {
        get => _requestCachePolicy;
        set => _requestCachePolicy = EnumArgument.Defined(value);
    }

    /// <summary>
    /// How long a task may wait for more data before it fails with <see cref="UrlErrorCode.TimedOut"/>;
    /// the wait restarts whenever bytes arrive. 60 seconds by default; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan TimeoutIntervalForRequest
    {
        get => _timeoutIntervalForRequest;
        set => _timeoutIntervalForRequest = TimeoutArgument.Validate(value);
    }

    /// <summary>
    /// How long a whole task may take, redirects and body included, before it fails with
    /// <see cref="UrlErrorCode.TimedOut"/>. 7 days by default; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan TimeoutIntervalForResource
    {
        get => _timeoutIntervalForResource;
        set => _timeoutIntervalForResource = TimeoutArgument.Validate(value);
    }

    /// <summary>
    /// Headers added to every request; a request's own header of the same name wins. Names are
    /// case-insensitive.
    /// </summary>
    public IDictionary<string, string> HttpAdditionalHeaders => _httpAdditionalHeaders;

    /// <summary>The most connections the session opens to one host (6 by default).</summary>
    public int HttpMaximumConnectionsPerHost
    {
        get => _httpMaximumConnectionsPerHost;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _httpMaximumConnectionsPerHost = value;
        }
    }

    /// <summary>Whether requests carry cookies from <see cref="HttpCookieStorage"/> and responses' cookies are stored there.</summary>
    public bool HttpShouldSetCookies
    {
        get => _httpShouldSetCookies;
        set => _httpShouldSetCookies = value;
    }

    /// <summary>Which response cookies are stored.</summary>
    public CookieAcceptPolicy HttpCookieAcceptPolicy
    {
        get => _httpCookieAcceptPolicy;
        set => _httpCookieAcceptPolicy = EnumArgument.Defined(value);
    }

    /// <summary>Where cookies are kept; null for no cookies at all.</summary>
    public CookieStorage? HttpCookieStorage
    {
        get => _httpCookieStorage;
        set => _httpCookieStorage = value;
    }

    /// <summary>Where credentials are kept; null for none.</summary>
    public CredentialStorage? UrlCredentialStorage
    {
        get => _urlCredentialStorage;
        set => _urlCredentialStorage = value;
    }

    /// <summary>The response cache; null for no caching.</summary>
    public UrlCache? UrlCache
    {
        get => _urlCache;
        set => _urlCache = value;
    }

    /// <summary>Whether a task waits for connectivity instead of failing at once when the host cannot be reached.</summary>
    public bool WaitsForConnectivity
    {
        get => _waitsForConnectivity;
        set => _waitsForConnectivity = value;
    }

    /// <summary>Whether background transfers may be scheduled at the system's discretion.</summary>
    public bool IsDiscretionary
    {
        get => _isDiscretionary;
        set => _isDiscretionary = value;
    }

    /// <summary>Whether a background session relaunches the app when its transfers finish.</summary>
    public bool SessionSendsLaunchEvents
    {
        get => _sessionSendsLaunchEvents;
        set => _sessionSendsLaunchEvents = value;
    }

    /// <summary>Whether a redirect from https to http is followed; false by default (the task fails instead).</summary>
    public bool AllowsInsecureRedirects
    {
        get => _allowsInsecureRedirects;
        set => _allowsInsecureRedirects = value;
    }

    /// <summary>The proxy to use; null uses the system's default proxy settings.</summary>
    public IWebProxy? Proxy
    {
        get => _proxy;
        set => _proxy = value;
    }

    /// <summary>The lowest TLS version the session accepts (TLS 1.2 by default).</summary>
    public SslProtocols TlsMinimumSupportedProtocolVersion
    {
        get => _tlsMinimumSupportedProtocolVersion;
        set => _tlsMinimumSupportedProtocolVersion = TlsVersions.ValidateSingle(value);
    }

    /// <summary>The highest TLS version the session offers (TLS 1.3 by default).</summary>
    public SslProtocols TlsMaximumSupportedProtocolVersion
    {
        get => _tlsMaximumSupportedProtocolVersion;
        set => _tlsMaximumSupportedProtocolVersion = TlsVersions.ValidateSingle(value);
    }

    /// <summary>Where the session logs; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory
    {
        get => _loggerFactory;
        set => _loggerFactory = value;
    }

    /// <summary>The clock for timeouts and delayed starts; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _timeProvider = value;
        }
    }

    /// <summary>
    /// Replaces the <see cref="SocketsHttpHandler"/> core with another handler (tests put a mock here).
    /// Everything above the core (redirects, headers, timeouts, delegate dispatch) runs the same. The
    /// handler must not follow redirects itself. Connection, TLS and proxy settings then belong to that handler.
    /// The session disposes the handlers it got when it no longer needs them (after <see cref="UrlSession.FlushAsync"/>
    /// or <see cref="UrlSession.ResetAsync"/> replaced them, and when it is invalidated); a factory that returns the
    /// same handler every time keeps that one handler for the session's whole life.
    /// </summary>
    public Func<HttpMessageHandler>? HttpMessageHandlerFactory
    {
        get => _httpMessageHandlerFactory;
        set => _httpMessageHandlerFactory = value;
    }

    /// <summary>
    /// The folder where download tasks write their files while they run and keep partial files for resume data
    /// (the system temp folder's <c>UrlSession/Downloads</c> by default). Resume data naming a file elsewhere is refused.
    /// </summary>
    public string DownloadDirectory
    {
        get => _downloadDirectory;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _downloadDirectory = Path.GetFullPath(value);
        }
    }

    /// <summary>
    /// Bodies of at least this many bytes (or of unknown length) are sent with <c>Expect: 100-continue</c>, so a server
    /// that answers 401 or 413 does so before the body is sent. Null (the default) never asks, as URLSession does not;
    /// a request can still ask itself with an <c>Expect</c> header.
    /// </summary>
    public long? ExpectContinueThreshold
    {
        get => _expectContinueThreshold;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "ExpectContinueThreshold must be zero or more bytes, or null.");
            }

            _expectContinueThreshold = value;
        }
    }

    private static string DefaultDownloadDirectory => Path.Combine(Path.GetTempPath(), "UrlSession", "Downloads");

    /// <summary>Returns a deep, independent and changeable copy (the header dictionary is copied; stores are shared).</summary>
    public SessionConfiguration Clone() => new(Kind, Identifier)
    {
        _requestCachePolicy = _requestCachePolicy,
        _timeoutIntervalForRequest = _timeoutIntervalForRequest,
        _timeoutIntervalForResource = _timeoutIntervalForResource,
        _httpAdditionalHeaders = NewHeaderDictionary(_httpAdditionalHeaders),
        _httpMaximumConnectionsPerHost = _httpMaximumConnectionsPerHost,
        _httpShouldSetCookies = _httpShouldSetCookies,
        _httpCookieAcceptPolicy = _httpCookieAcceptPolicy,
        // Stores, proxy, logging, clock and handler factory are shared on purpose: URLSession shares storage objects.
        _httpCookieStorage = _httpCookieStorage,
        _urlCredentialStorage = _urlCredentialStorage,
        _urlCache = _urlCache,
        _waitsForConnectivity = _waitsForConnectivity,
        _isDiscretionary = _isDiscretionary,
        _sessionSendsLaunchEvents = _sessionSendsLaunchEvents,
        _allowsInsecureRedirects = _allowsInsecureRedirects,
        _proxy = _proxy,
        _tlsMinimumSupportedProtocolVersion = _tlsMinimumSupportedProtocolVersion,
        _tlsMaximumSupportedProtocolVersion = _tlsMaximumSupportedProtocolVersion,
        _loggerFactory = _loggerFactory,
        _timeProvider = _timeProvider,
        _httpMessageHandlerFactory = _httpMessageHandlerFactory,
        _downloadDirectory = _downloadDirectory,
        _expectContinueThreshold = _expectContinueThreshold,
        _ephemeralStores = _ephemeralStores,
    };

    /// <summary>
    /// The stores the <see cref="Ephemeral"/> factory made, shared by every copy of that configuration; null for other
    /// kinds. Only these are emptied when the last session using them is invalidated, never a store the caller set.
    /// </summary>
    internal EphemeralStores? OwnedEphemeralStores => _ephemeralStores;

    private static Dictionary<string, string> NewHeaderDictionary(IDictionary<string, string>? source = null) =>
        source is null
            ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(source, StringComparer.OrdinalIgnoreCase);
}
