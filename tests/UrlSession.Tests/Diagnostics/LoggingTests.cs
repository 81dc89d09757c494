using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Diagnostics;

public sealed class LoggingTests
{
    [Fact]
    public async Task Nothing_is_logged_for_a_successful_task_unless_debug_is_enabled()
    {
        var quiet = new RecordingLoggerProvider(LogLevel.Information);
        await RunOneTask(quiet);

        quiet.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Debug_logging_names_the_task_and_its_url_without_secrets()
    {
        var verbose = new RecordingLoggerProvider(LogLevel.Debug);
        await RunOneTask(verbose);

        verbose.Entries.Should().Contain(e => e.Message.Contains("Task 1 started: GET http://example.test/item", StringComparison.Ordinal));
        verbose.Entries.Should().Contain(e => e.Message.StartsWith("Task 1 completed", StringComparison.Ordinal));
        verbose.Entries.Should().NotContain(e => e.Message.Contains("secret", StringComparison.Ordinal));
    }

    private static async Task RunOneTask(RecordingLoggerProvider provider)
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "ok");
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpMessageHandlerFactory = () => mock;
        configuration.LoggerFactory = factory;
        await using var session = new UrlSession(configuration);

        await session.DataAsync(new UrlRequest(new Uri("http://user:secret@example.test/item")).WithHeader("Authorization", "Bearer secret"));
    }

    private sealed class RecordingLoggerProvider(LogLevel minimum) : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public LogLevel Minimum { get; } = minimum;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    provider.Entries.Enqueue((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
