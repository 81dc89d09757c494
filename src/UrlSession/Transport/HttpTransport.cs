using System.Net;
using System.Net.Security;

namespace UrlSessions;

/// <summary>
/// The session's connection layer: one <see cref="SocketsHttpHandler"/> (or the test seam's handler) at a
/// time. <see cref="Retire"/> makes later tasks use a fresh handler (new connections) while tasks already
/// running keep theirs; a retired handler is disposed when its last task completes.
/// </summary>
internal sealed class HttpTransport : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Func<HttpMessageHandler> _createHandler;
    private Generation _current;
    private bool _disposed;

    public HttpTransport(UrlSession session, SessionSettings settings, SessionServices services)
    {
        TrustEvaluator = new ServerTrustEvaluator(session);
        _createHandler = services.HttpMessageHandlerFactory ?? (() => CreateSocketsHandler(settings, services.Proxy, TrustEvaluator));
        _current = new Generation(_createHandler());
    }

    public ServerTrustEvaluator TrustEvaluator { get; }

    /// <summary>Takes the current handler for one task; pair with <see cref="Release"/>.</summary>
    public Generation Acquire()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _current.Users++;
            return _current;
        }
    }

    public void Release(Generation generation)
    {
        lock (_lock)
        {
            generation.Users--;
            if (generation.Retired && generation.Users == 0)
            {
                generation.Invoker.Dispose();
            }
        }
    }

    /// <summary>Later tasks get new connections; idle connections of the old handler close when its tasks are done.</summary>
    public void Retire()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var handler = _createHandler();
            if (ReferenceEquals(handler, _current.Handler))
            {
                // The factory hands out one shared handler: it cannot give new connections, and disposing it
                // would break every later task.
                return;
            }

            RetireLocked(_current);
            _current = new Generation(handler);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            RetireLocked(_current);
        }
    }

    private static void RetireLocked(Generation generation)
    {
        generation.Retired = true;
        if (generation.Users == 0)
        {
            generation.Invoker.Dispose();
        }
    }

    private static SocketsHttpHandler CreateSocketsHandler(SessionSettings settings, IWebProxy? proxy, ServerTrustEvaluator trust) => new()
    {
        // Redirects, cookies and timeouts are the session's job: the handler must not do them behind its back.
        AllowAutoRedirect = false,
        UseCookies = false,
        // The session decodes content codings itself (ContentDecoding): the handler's decompression added and
        // parsed Accept-Encoding on every request (about 0.7 KB allocated per request).
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = settings.HttpMaximumConnectionsPerHost,
        EnableMultipleHttp2Connections = true,
        Proxy = proxy,
        UseProxy = true,
        // Direct https connections: the callback runs TLS itself and asks the delegate without holding a thread. These
        // options serve the TLS the handler still runs (through a proxy tunnel), with the platform's verdict.
        ConnectCallback = trust.ConnectAsync,
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = settings.EnabledSslProtocols,
        },
    };

    internal sealed class Generation(HttpMessageHandler handler)
    {
        public HttpMessageHandler Handler { get; } = handler;

        public HttpMessageInvoker Invoker { get; } = new(handler, disposeHandler: true);

        public int Users { get; set; }

        public bool Retired { get; set; }
    }
}
