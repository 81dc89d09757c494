using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Delegates;

public sealed class DelegateQueueTests
{
    [Fact]
    public async Task Events_on_a_concurrent_scheduler_are_serial_and_ordered()
    {
        var mock = new MockHttpMessageHandler();
        var bodies = Enumerable.Range(0, 8).Select(_ => new GatedStream()).ToArray();
        for (var i = 0; i < bodies.Length; i++)
        {
            var body = bodies[i];
            mock.When($"http://example.test/{i}").Respond(_ => body.Response());
        }

        var recorder = new OverlapDetectingDelegate();
        await using var session = new UrlSession(TestSessions.Configuration(mock), recorder, TaskScheduler.Default);
        var tasks = Enumerable.Range(0, bodies.Length).Select(i => session.CreateDataTask(new Uri($"http://example.test/{i}"))).ToArray();
        foreach (var task in tasks)
        {
            task.Resume();
        }

        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < bodies.Length; i++)
            {
                await bodies[i].WaitForBlockedReadAsync(round + 1);
                bodies[i].Feed([(byte)round, (byte)i]);
            }
        }

        foreach (var body in bodies)
        {
            body.Finish();
        }

        await Task.WhenAll(tasks.Select(t => t.Completion)).WaitAsync(TimeSpan.FromSeconds(30));

        session.DelegateQueue.Should().BeSameAs(TaskScheduler.Default);
        recorder.MaxInFlight.Should().Be(1);
        foreach (var task in tasks)
        {
            var events = recorder.EventsOf(task);
            events[0].Should().Be("response");
            events[^1].Should().Be("complete");
            events.Skip(1).SkipLast(1).Should().OnlyContain(e => e == "data");
            var index = (byte)(task.TaskIdentifier - tasks[0].TaskIdentifier);
            recorder.DataOf(task).Should().Equal(0, index, 1, index, 2, index, 3, index);
        }
    }

    [Fact]
    public async Task The_default_queue_is_serial()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var recorder = new OverlapDetectingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var tasks = Enumerable.Range(0, 16).Select(i => session.CreateDataTask(new Uri($"http://example.test/{i}"))).ToArray();
        await Task.WhenAll(tasks.Select(t => t.RunAsync()));

        recorder.MaxInFlight.Should().Be(1);
        session.DelegateQueue.MaximumConcurrencyLevel.Should().Be(1);
        tasks.Should().OnlyContain(t => recorder.EventsOf(t).SequenceEqual(new[] { "response", "data", "complete" }));
    }

    [Fact]
    public async Task A_SynchronizationContext_receives_the_events()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var context = new TestSynchronizationContext();
        var recorder = new RecordingDelegate();
        await using var session = new UrlSession(TestSessions.Configuration(mock), recorder, context);

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        await task.RunAsync();

        recorder.CoreLog.Select(e => e.Context).Should().HaveCount(3).And.OnlyContain(c => ReferenceEquals(c, context));
        context.Posts.Should().BeGreaterThanOrEqualTo(3);
        session.DelegateQueue.MaximumConcurrencyLevel.Should().Be(1);
    }

    [Fact]
    public async Task A_completion_handler_runs_on_the_SynchronizationContext()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var context = new TestSynchronizationContext();
        await using var session = new UrlSession(TestSessions.Configuration(mock), null, context);
        SynchronizationContext? seen = null;

        var task = session.CreateDataTask(new Uri("http://example.test/a"), (_, _, _) => seen = SynchronizationContext.Current);
        await task.RunAsync();

        seen.Should().BeSameAs(context);
    }

    [Fact]
    public void A_null_SynchronizationContext_is_rejected()
    {
        var create = () => new UrlSession(SessionConfiguration.Ephemeral, null, (SynchronizationContext)null!);

        create.Should().Throw<ArgumentNullException>();
    }

    private sealed class OverlapDetectingDelegate : IDataTaskDelegate
    {
        private readonly ConcurrentDictionary<long, List<string>> _events = new();
        private readonly ConcurrentDictionary<long, List<byte>> _data = new();
        private int _inFlight;
        private int _maxInFlight;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public List<string> EventsOf(SessionTask task) => _events[task.TaskIdentifier];

        public List<byte> DataOf(SessionTask task) => _data[task.TaskIdentifier];

        public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
        {
            Record(task, "response");
            return ValueTask.FromResult(ResponseDisposition.Allow);
        }

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
        {
            var bytes = data.ToArray();
            Record(task, "data", () => _data.GetOrAdd(task.TaskIdentifier, _ => []).AddRange(bytes));
        }

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => Record(task, error is null ? "complete" : "error");

        private void Record(SessionTask task, string name, Action? more = null)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            // Widen the window in which an overlapping event would be caught.
            Thread.SpinWait(20_000);
            _events.GetOrAdd(task.TaskIdentifier, _ => []).Add(name);
            more?.Invoke();
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
