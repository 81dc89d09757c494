using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Delegates;

public sealed class DelegateDispatcherTests
{
    [Fact]
    public async Task Drained_does_not_fault_when_an_invoked_event_threw()
    {
        var queue = new ManualScheduler();
        var dispatcher = new DelegateDispatcher(queue, NullLogger.Instance);
        var invoked = dispatcher.Invoke("DidReceiveData", () => throw new InvalidOperationException("the delegate's bug"));
        var drained = dispatcher.Drained;

        queue.RunAll();

        // The failure is the invoking task's to throw; the queue itself carries on unfaulted.
        (await invoked)!.InnerException.Should().BeOfType<InvalidOperationException>();
        await drained;
        await dispatcher.Drained;
    }

    [Fact]
    public async Task Another_task_completing_while_a_DidReceiveData_that_throws_is_queued_still_completes()
    {
        // Task B has no events of its own, so its completion waits for the queue (Drained), whose tail is task A's
        // DidReceiveData. When that threw, the failure came out of B's completion and B never completed.
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/*").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var queue = new ManualScheduler();
        var logs = new SignalingLoggerFactory(eventId: 2);
        var configuration = TestSessions.Configuration(mock);
        configuration.LoggerFactory = logs;
        var session = new UrlSession(configuration, new ThrowingDataDelegate(), queue);
        try
        {
            var a = session.CreateDataTask(new Uri("http://example.test/a"));
            a.Resume();
            await queue.Queued.WaitAsync(TimeSpan.FromSeconds(10));

            var b = session.DataAsync(new Uri("http://example.test/b"));
            await logs.Logged.WaitAsync(TimeSpan.FromSeconds(10));
            queue.RunAll();

            (await b.WaitAsync(TimeSpan.FromSeconds(10))).Data.Should().Equal("abc"u8.ToArray());
            await a.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            a.Error!.Code.Should().Be(UrlErrorCode.Unknown);
        }
        finally
        {
            // From here on events run as they are queued, so invalidation does not wait for the test.
            queue.Release();
            await session.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>A delegate queue that holds events until the test runs them.</summary>
    private sealed class ManualScheduler : TaskScheduler
    {
        private readonly Lock _lock = new();
        private readonly List<Task> _tasks = [];
        private readonly TaskCompletionSource _queued = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Queued => _queued.Task;

        private bool _released;

        public override int MaximumConcurrencyLevel => 1;

        /// <summary>Runs what is queued and everything queued afterwards at once.</summary>
        public void Release()
        {
            lock (_lock)
            {
                _released = true;
            }

            RunAll();
        }

        /// <summary>Runs what is queued, and what that queues, until nothing is left.</summary>
        public void RunAll()
        {
            while (true)
            {
                Task[] due;
                lock (_lock)
                {
                    if (_tasks.Count == 0)
                    {
                        return;
                    }

                    due = [.. _tasks];
                    _tasks.Clear();
                }

                foreach (var task in due)
                {
                    TryExecuteTask(task);
                }
            }
        }

        protected override void QueueTask(Task task)
        {
            lock (_lock)
            {
                if (!_released)
                {
                    _tasks.Add(task);
                    _queued.TrySetResult();
                    return;
                }
            }

            TryExecuteTask(task);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks()
        {
            lock (_lock)
            {
                return [.. _tasks];
            }
        }
    }

    private sealed class ThrowingDataDelegate : IDataTaskDelegate
    {
        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data) => throw new InvalidOperationException("the delegate's bug");
    }

    /// <summary>Signals the first entry with an event id, from the logging thread.</summary>
    private sealed class SignalingLoggerFactory(int eventId) : ILoggerFactory, ILogger
    {
        private readonly TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Logged => _logged.Task;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId1, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId1.Id == eventId)
            {
                _logged.TrySetResult();
            }
        }

        public void Dispose()
        {
        }
    }
}
