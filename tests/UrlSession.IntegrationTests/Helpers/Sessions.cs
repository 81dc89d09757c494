namespace UrlSessions.IntegrationTests.Helpers;

/// <summary>Session and task shortcuts for the tests.</summary>
public static class Sessions
{
    /// <summary>A bound on how long a test waits for an event that must happen; a hang fails instead of blocking the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static UrlSession Ephemeral(ISessionDelegate? sessionDelegate = null, Action<SessionConfiguration>? configure = null)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configure?.Invoke(configuration);
        return new UrlSession(configuration, sessionDelegate);
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
