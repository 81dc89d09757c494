using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace UrlSessions.Tests.Support;

/// <summary>A logger factory that keeps every entry at or above a level, in memory.</summary>
internal sealed class ListLoggerFactory(LogLevel minimum) : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                throw new InvalidOperationException($"Log was called at {logLevel} although the level is off.");
            }

            owner.Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));
        }
    }

    private readonly LogLevel _minimum = minimum;
}
