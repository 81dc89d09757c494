using System.Net;
using Microsoft.Extensions.Logging;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Diagnostics;

public sealed class LoggingTests
{
    private static UrlSession Session(MockHttpMessageHandler mock, ListLoggerFactory logs, ISessionDelegate? sessionDelegate = null)
    {
        var configuration = TestSessions.Configuration(mock);
        configuration.LoggerFactory = logs;
        return new UrlSession(configuration, sessionDelegate);
    }

    [Fact]
    public async Task A_successful_task_logs_nothing_at_Information()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "x");
        var logs = new ListLoggerFactory(LogLevel.Information);
        await using (var session = Session(mock, logs))
        {
            await session.DataAsync(new Uri("http://example.test/a"));
        }

        logs.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Debug_logs_the_task_without_user_info()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "x");
        var logs = new ListLoggerFactory(LogLevel.Debug);
        await using (var session = Session(mock, logs))
        {
            await session.DataAsync(new Uri("http://user:hunter2@example.test/a"));
        }

        logs.Entries.Should().Contain(e => e.Message.Contains("started", StringComparison.Ordinal) && e.Message.Contains("http://example.test/a", StringComparison.Ordinal));
        logs.Entries.Should().NotContain(e => e.Message.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_throwing_delegate_is_logged_as_an_error_with_the_exception()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "x");
        var logs = new ListLoggerFactory(LogLevel.Warning);
        var thrown = new InvalidOperationException("delegate bug");
        await using (var session = Session(mock, logs, new ThrowingDelegate(thrown)))
        {
            await session.CreateDataTask(new Uri("http://example.test/a")).RunAsync();
        }

        logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error && e.Exception == thrown)
            .Which.Message.Should().Contain(nameof(IDataTaskDelegate.DidReceiveResponseAsync));
    }

    private sealed class ThrowingDelegate(Exception thrown) : IDataTaskDelegate
    {
        public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response) => throw thrown;
    }
}
