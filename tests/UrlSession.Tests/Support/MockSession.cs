using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Support;

/// <summary>Builds sessions whose transport core is a MockHttp handler.</summary>
internal static class MockSession
{
    public static SessionConfiguration Configuration(MockHttpMessageHandler mock, TimeProvider? time = null)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpMessageHandlerFactory = () => mock;
        if (time is not null)
        {
            configuration.TimeProvider = time;
        }

        return configuration;
    }

    public static UrlSession Create(MockHttpMessageHandler mock, ISessionDelegate? sessionDelegate = null, TimeProvider? time = null) =>
        new(Configuration(mock, time), sessionDelegate);

    /// <summary>Resumes a task and waits for it to complete (Completion never faults).</summary>
    public static async Task<SessionTask> RunAsync(this SessionTask task)
    {
        task.Resume();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        return task;
    }
}
