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
        var recorder = new ThrowOnceDelegate();
        await using var session = MockSession.Create(mock, recorder);

        var failing = session.CreateDataTask(new Uri("http://example.test/first"));
        await failing.RunAsync();

        failing.Error!.Code.Should().Be(UrlErrorCode.Unknown);
        failing.Error.InnerException.Should().BeSameAs(recorder.Thrown);
        failing.Error.Message.Should().Contain(nameof(IDataTaskDelegate.DidReceiveData));
        recorder.Errors.Single()!.Code.Should().Be(UrlErrorCode.Unknown);
    }

    [Fact]
    public async Task The_session_keeps_working_after_a_delegate_threw()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/*").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var recorder = new ThrowOnceDelegate();
        await using var session = MockSession.Create(mock, recorder);
        await session.CreateDataTask(new Uri("http://example.test/first")).RunAsync();

        var next = session.CreateDataTask(new Uri("http://example.test/second"));
        await next.RunAsync();

        next.Error.Should().BeNull();
        recorder.Data.ToArray().Should().Equal("abc"u8.ToArray());
        recorder.DidCompleteCount.Should().Be(2);
    }

    [Fact]
    public async Task A_throwing_DidComplete_is_logged_and_the_task_still_completes()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/*").Respond(HttpStatusCode.OK, "text/plain", "abc");
        await using var session = MockSession.Create(mock, new ThrowingCompleteDelegate());

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        await task.RunAsync();

        task.State.Should().Be(SessionTaskState.Completed);
        task.Error.Should().BeNull();
        (await session.DataAsync(new Uri("http://example.test/b"))).Data.Should().Equal("abc"u8.ToArray());
    }

    private sealed class ThrowOnceDelegate : RecordingDelegate
    {
        private int _thrown;

        public Exception Thrown { get; } = new InvalidOperationException("delegate bug");

        public override void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
        {
            if (Interlocked.Exchange(ref _thrown, 1) == 0)
            {
                throw Thrown;
            }

            base.DidReceiveData(session, task, data);
        }
    }

    private sealed class ThrowingCompleteDelegate : IDataTaskDelegate
    {
        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => throw new InvalidOperationException("complete bug");
    }
}
