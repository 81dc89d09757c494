using System.Net;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class DelegateDecisionTimeoutTests
{
    private readonly FakeTimeProvider _time = new();

    private UrlSession Session(MockHttpMessageHandler mock, ISessionDelegate sessionDelegate, TimeSpan? resource = null)
    {
        var configuration = TestSessions.Configuration(mock, _time);
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(10);
        configuration.TimeoutIntervalForResource = resource ?? TimeSpan.FromDays(7);
        return new UrlSession(configuration, sessionDelegate);
    }

    [Fact]
    public async Task Time_the_delegate_takes_to_decide_on_the_response_is_not_network_idle_time()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "x");
        var slow = new SlowDecisionDelegate();
        await using var session = Session(mock, slow);
        var task = session.CreateDataTask(new Uri("http://example.test/a"));

        task.Resume();
        await slow.Asked.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromMinutes(5));
        var state = task.State;
        slow.Decide();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        state.Should().Be(SessionTaskState.Running, "the user may take a while to decide; the server is not stalling");
        task.Error.Should().BeNull();
    }

    [Fact]
    public async Task Time_the_delegate_takes_to_decide_on_a_redirect_is_not_network_idle_time()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(_ => RedirectMock.Redirect(302, "/b"));
        mock.When("http://example.test/b").Respond(HttpStatusCode.OK, "text/plain", "x");
        var slow = new SlowDecisionDelegate();
        await using var session = Session(mock, slow);
        var task = session.CreateDataTask(new Uri("http://example.test/a"), (_, _, _) => { });

        task.Resume();
        await slow.Asked.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromMinutes(5));
        var state = task.State;
        slow.Decide();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        state.Should().Be(SessionTaskState.Running);
        task.Error.Should().BeNull();
    }

    [Fact]
    public async Task The_resource_timeout_still_counts_while_the_delegate_decides()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "x");
        var slow = new SlowDecisionDelegate();
        await using var session = Session(mock, slow, resource: TimeSpan.FromMinutes(1));
        var task = session.CreateDataTask(new Uri("http://example.test/a"));

        task.Resume();
        await slow.Asked.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromMinutes(1));
        slow.Decide();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
    }

    private sealed class SlowDecisionDelegate : IDataTaskDelegate
    {
        private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Asked => _asked.Task;

        public void Decide() => _decided.TrySetResult();

        public async ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
        {
            _asked.TrySetResult();
            await _decided.Task;
            return ResponseDisposition.Allow;
        }

        public async ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest)
        {
            _asked.TrySetResult();
            await _decided.Task;
            return newRequest;
        }
    }
}
