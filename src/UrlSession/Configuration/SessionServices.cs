using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace UrlSessions;

/// <summary>
/// The objects a session uses by reference, taken once from its <see cref="SessionConfiguration"/>: every session made
/// from a configuration (or from its copies) shares them on purpose. The plain values are in <see cref="SessionSettings"/>.
/// </summary>
internal sealed class SessionServices
{
    private SessionServices()
    {
    }

    /// <summary>The caller's logging, shared: every session (and the app) logs to the same providers.</summary>
    public required ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The session's logger (<c>UrlSessions.UrlSession</c>), created once; <see cref="NullLogger"/> when nothing logs.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The caller's clock, shared so that a test's fake time drives every session made with it.</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>The caller's handler factory, shared: it decides itself whether to hand out one handler or new ones.</summary>
    public required Func<HttpMessageHandler>? HttpMessageHandlerFactory { get; init; }

    /// <summary>The caller's proxy, shared: an <see cref="IWebProxy"/> may change its answers (credentials, bypass list) live.</summary>
    public required IWebProxy? Proxy { get; init; }

    /// <summary>Shared as URLSession shares its storage objects: sessions with one storage see each other's cookies.</summary>
    public required CookieStorage? HttpCookieStorage { get; init; }

    /// <summary>Shared as URLSession shares its storage objects: a credential one session stored answers another's challenge.</summary>
    public required CredentialStorage? UrlCredentialStorage { get; init; }

    /// <summary>Shared as URLSession shares its storage objects.</summary>
    public required UrlCache? UrlCache { get; init; }

    /// <summary>
    /// The stores an <see cref="SessionConfiguration.Ephemeral"/> configuration made, shared by the sessions made from it
    /// so they are emptied only when the last of them is invalidated; null for other configurations.
    /// </summary>
    public required EphemeralStores? OwnedEphemeralStores { get; init; }

    public static SessionServices From(SessionConfiguration configuration) => new()
    {
        LoggerFactory = configuration.LoggerFactory,
        Logger = configuration.LoggerFactory?.CreateLogger("UrlSessions.UrlSession") ?? NullLogger.Instance,
        TimeProvider = configuration.TimeProvider,
        HttpMessageHandlerFactory = configuration.HttpMessageHandlerFactory,
        Proxy = configuration.Proxy,
        HttpCookieStorage = configuration.HttpCookieStorage,
        UrlCredentialStorage = configuration.UrlCredentialStorage,
        UrlCache = configuration.UrlCache,
        OwnedEphemeralStores = configuration.OwnedEphemeralStores,
    };
}
