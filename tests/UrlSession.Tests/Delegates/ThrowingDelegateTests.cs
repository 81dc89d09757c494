using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Delegates;

public sealed class ThrowingDelegateTests
{
    [Fact]
    public async Task A_throwing_DidReceiveData_fails_the_task_with_Unknown_and_the_exception_inside()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/*").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var (recorder, thrown) = ThrowOnFirstData();
        await using var session = TestSessions.Mock(mock, recorder);

        var failing = session.CreateDataTask(new Uri("http://example.test/first"));
        await failing.RunAsync();

        failing.Error!.Code.Should().Be(UrlErrorCode.Unknown);
        failing.Error.InnerException.Should().BeSameAs(thrown);
        failing.Error.Message.Should().Contain(nameof(IDataTaskDelegate.DidReceiveData));
        recorder.Errors.Single()!.Code.Should().Be(UrlErrorCode.Unknown);
    }

    [Fact]
    public async Task The_session_keeps_working_after_a_delegate_threw()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/*").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var (recorder, _) = ThrowOnFirstData();
        await using var session = TestSessions.Mock(mock, recorder);
        await session.CreateDataTask(new Uri("http://example.test/first")).RunAsync();

        var next = session.CreateDataTask(new Uri("http://example.test/second"));
        await next.RunAsync();

        next.Error.Should().BeNull();
        recorder.Data.ToArray().Should().Equal("abc"u8.ToArray());
        recorder.CompletionCount.Should().Be(2);
    }

    [Fact]
    public async Task A_throwing_DidComplete_is_logged_and_the_task_still_completes()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/*").Respond(HttpStatusCode.OK, "text/plain", "abc");
        await using var session = TestSessions.Mock(mock, new ThrowingCompleteDelegate());

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        await task.RunAsync();

        task.State.Should().Be(SessionTaskState.Completed);
        task.Error.Should().BeNull();
        (await session.DataAsync(new Uri("http://example.test/b"))).Data.Should().Equal("abc"u8.ToArray());
    }

    [Fact]
    public async Task A_throwing_redirect_decision_disposes_the_redirect_response()
    {
        var redirect = new TrackedContent("moved");
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/from").Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found) { Content = redirect };
            response.Headers.Location = new Uri("http://example.test/to");
            return response;
        });
        await using var session = TestSessions.Mock(mock, new ThrowingDecisionsDelegate());

        var task = session.CreateDataTask(new Uri("http://example.test/from"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.Unknown);
        redirect.Disposed.Should().BeTrue("an undisposed response keeps its connection out of the pool");
    }

    [Fact]
    public async Task A_throwing_challenge_decision_disposes_the_401_response()
    {
        var challenge = new TrackedContent("who are you");
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/private").Respond(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = challenge };
            response.Headers.WwwAuthenticate.ParseAdd("Basic realm=\"vault\"");
            return response;
        });
        await using var session = TestSessions.Mock(mock, new ThrowingDecisionsDelegate());

        var task = session.CreateDataTask(new Uri("http://example.test/private"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.Unknown);
        challenge.Disposed.Should().BeTrue("an undisposed response keeps its connection out of the pool");
    }

    /// <summary>A recorder whose first DidReceiveData throws (before recording anything).</summary>
    private static (RecordingDelegate Recorder, Exception Thrown) ThrowOnFirstData()
    {
        var thrown = new InvalidOperationException("delegate bug");
        var dataEvents = 0;
        var recorder = new RecordingDelegate
        {
            BeforeEvent = (name, _) =>
            {
                if (name == "data" && Interlocked.Increment(ref dataEvents) == 1)
                {
                    throw thrown;
                }
            },
        };
        return (recorder, thrown);
    }

    private sealed class ThrowingCompleteDelegate : IDataTaskDelegate
    {
        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => throw new InvalidOperationException("complete bug");
    }

    private sealed class ThrowingDecisionsDelegate : IDataTaskDelegate
    {
        public ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest) =>
            throw new InvalidOperationException("redirect bug");

        public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, SessionTask task, AuthenticationChallenge challenge) =>
            throw new InvalidOperationException("challenge bug");
    }

    private sealed class TrackedContent(string text) : StringContent(text)
    {
        private int _disposed;

        public bool Disposed => Volatile.Read(ref _disposed) == 1;

        protected override void Dispose(bool disposing)
        {
            Volatile.Write(ref _disposed, 1);
            base.Dispose(disposing);
        }
    }
}
