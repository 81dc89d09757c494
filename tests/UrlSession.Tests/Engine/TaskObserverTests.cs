using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Engine;

public sealed class TaskObserverTests
{
    [Fact]
    public async Task An_observer_sees_the_lifecycle_of_a_redirected_task_in_order_and_completion_once()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/old").Respond(_ =>
        {
            var moved = new HttpResponseMessage(HttpStatusCode.MovedPermanently);
            moved.Headers.Location = new Uri("/new", UriKind.Relative);
            return moved;
        });
        mock.When("http://example.test/new").Respond(HttpStatusCode.OK, "text/plain", "hello");
        await using var session = MockSession.Create(mock);
        var observer = new RecordingObserver();
        session.AddObserver(observer);

        var task = session.CreateDataTask(new Uri("http://example.test/old"), (_, _, _) => { });
        await task.RunAsync();

        observer.Events.Should().Equal(
            "created",
            "started GET /old",
            "send /old",
            "headers 301",
            "redirected 301 -> /new",
            "send /new",
            "headers 200",
            "body ended",
            "completed ok 5");
    }

    [Fact]
    public async Task A_failed_send_and_a_task_cancelled_before_it_ran_are_reported()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Throw(new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        await using var session = MockSession.Create(mock);
        var observer = new RecordingObserver();
        session.AddObserver(observer);

        var failed = session.CreateDataTask(new Uri("http://example.test/down"), (_, _, _) => { });
        await failed.RunAsync();
        var cancelled = session.CreateDataTask(new Uri("http://example.test/never"), (_, _, _) => { });
        cancelled.Cancel();
        await cancelled.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        observer.Events.Should().ContainInOrder("send /down", "failed HttpRequestException", "completed CannotConnectToHost 0");
        observer.Events.Where(e => e.StartsWith("completed", StringComparison.Ordinal)).Should().HaveCount(2);
        observer.Events.Should().NotContain("send /never");
    }

    [Fact]
    public void Combining_observers_allocates_nothing_for_none_or_one_and_flattens()
    {
        var a = new RecordingObserver();
        var b = new RecordingObserver();

        TaskObservers.Combine(null, null).Should().BeNull();
        TaskObservers.Combine(null, a).Should().BeSameAs(a);
        var both = TaskObservers.Combine(a, b)!;
        TaskObservers.Combine(both, null).Should().BeSameAs(both);
        both.TaskCreated(null!);
        a.Events.Should().Equal("created");
        b.Events.Should().Equal("created");
    }

    private sealed class RecordingObserver : ITaskObserver
    {
        private readonly ConcurrentQueue<string> _events = new();

        public IReadOnlyList<string> Events => [.. _events];

        public void TaskCreated(SessionTask task) => _events.Enqueue("created");

        public void TaskStarted(SessionTask task, UrlRequest request) => _events.Enqueue($"started {request.Method} {request.Url.AbsolutePath}");

        public void SendStarted(SessionTask task, UrlRequest request) => _events.Enqueue($"send {request.Url.AbsolutePath}");

        public void ResponseHeaders(SessionTask task, UrlRequest request, HttpResponseMessage message) => _events.Enqueue($"headers {(int)message.StatusCode}");

        public void SendFailed(SessionTask task, UrlRequest request, Exception exception) => _events.Enqueue($"failed {exception.GetType().Name}");

        public void Redirected(SessionTask task, int status, UrlRequest next) => _events.Enqueue($"redirected {status} -> {next.Url.AbsolutePath}");

        public void ResponseBodyEnded(SessionTask task) => _events.Enqueue("body ended");

        public void TaskCompleted(SessionTask task, UrlError? error, TimeSpan elapsed) =>
            _events.Enqueue($"completed {(error is null ? "ok" : error.Code.ToString())} {task.CountOfBytesReceived}");
    }
}
