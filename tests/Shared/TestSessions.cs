namespace UrlSessions.Testing;

/// <summary>Builds the tests' sessions (over an in-memory handler or the network) and awaits what they do.</summary>
public static class TestSessions
{
    /// <summary>A bound on how long a test waits for an event that must happen; a hang fails instead of blocking the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>An ephemeral configuration whose transport core is <paramref name="handler"/> (a MockHttp or other in-memory handler).</summary>
    public static SessionConfiguration Configuration(HttpMessageHandler handler, TimeProvider? time = null, Action<SessionConfiguration>? configure = null) =>
        Configuration(() => handler, time, configure);

    /// <summary>An ephemeral configuration whose transport core comes from <paramref name="handlerFactory"/>.</summary>
    public static SessionConfiguration Configuration(Func<HttpMessageHandler> handlerFactory, TimeProvider? time = null, Action<SessionConfiguration>? configure = null)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpMessageHandlerFactory = handlerFactory;
        if (time is not null)
        {
            configuration.TimeProvider = time;
        }

        configure?.Invoke(configuration);
        return configuration;
    }

    /// <summary>A session over an in-memory handler.</summary>
    public static UrlSession Mock(HttpMessageHandler handler, ISessionDelegate? sessionDelegate = null, TimeProvider? time = null, Action<SessionConfiguration>? configure = null) =>
        new(Configuration(handler, time, configure), sessionDelegate);

    /// <summary>A session over in-memory handlers made by <paramref name="handlerFactory"/>.</summary>
    public static UrlSession Mock(Func<HttpMessageHandler> handlerFactory, ISessionDelegate? sessionDelegate = null, TimeProvider? time = null, Action<SessionConfiguration>? configure = null) =>
        new(Configuration(handlerFactory, time, configure), sessionDelegate);

    /// <summary>An ephemeral session over the network (the loopback server).</summary>
    public static UrlSession Ephemeral(ISessionDelegate? sessionDelegate = null, Action<SessionConfiguration>? configure = null)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configure?.Invoke(configuration);
        return new UrlSession(configuration, sessionDelegate);
    }

    /// <summary>Resumes a task and waits for it to complete (Completion never faults).</summary>
    public static async Task<SessionTask> RunAsync(this SessionTask task)
    {
        task.Resume();
        await task.Completion.WaitAsync(Patience);
        return task;
    }

    /// <summary>Runs a data task with a completion handler and returns what the handler got.</summary>
    public static async Task<(byte[]? Data, UrlResponse? Response, UrlError? Error)> LoadAsync(this UrlSession session, UrlRequest request)
    {
        var done = new TaskCompletionSource<(byte[]?, UrlResponse?, UrlError?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = session.CreateDataTask(request, (data, response, error) => done.TrySetResult((data, response, error)));
        task.Resume();
        return await done.Task.WaitAsync(Patience);
    }

    /// <summary>Awaits an event that must happen, with <see cref="Patience"/> as the bound.</summary>
    public static Task Within(this Task task) => task.WaitAsync(Patience);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Patience);

    /// <summary>True when the event did not happen within the window (for "nothing happens while …" checks).</summary>
    public static async Task<bool> StaysQuiet(this Task task, TimeSpan window)
    {
        try
        {
            await task.WaitAsync(window);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }
}
