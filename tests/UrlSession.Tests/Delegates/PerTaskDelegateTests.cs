using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Delegates;

public sealed class PerTaskDelegateTests
{
    [Fact]
    public async Task A_task_delegate_implementing_only_DidReceiveData_gets_data_and_the_session_delegate_the_rest()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "payload");
        var sessionDelegate = new RecordingDelegate();
        var taskDelegate = new DataOnlyDelegate();
        await using var session = TestSessions.Mock(mock, sessionDelegate);

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        task.Delegate = taskDelegate;
        await task.RunAsync();

        taskDelegate.Chunks.SelectMany(c => c).Should().Equal("payload"u8.ToArray());
        sessionDelegate.Events.Should().Equal("response", "complete");
        sessionDelegate.Data.Length.Should().Be(0);
    }

    [Fact]
    public async Task A_task_delegate_wins_over_the_session_delegate_for_what_it_implements()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "x");
        var sessionDelegate = new RecordingDelegate();
        var taskDelegate = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, sessionDelegate);

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        task.Delegate = taskDelegate;
        await task.RunAsync();

        taskDelegate.Events.Should().Equal("response", "data", "complete");
        sessionDelegate.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_task_delegate_the_session_delegate_gets_everything()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "x");
        var sessionDelegate = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, sessionDelegate);

        await session.CreateDataTask(new Uri("http://example.test/a")).RunAsync();

        sessionDelegate.Events.Should().Equal("response", "data", "complete");
    }

    [Fact]
    public void The_inspector_sees_only_members_a_type_implements_itself()
    {
        var implemented = DelegateInspector.ImplementedBy(typeof(DataOnlyDelegate));

        implemented.Should().Be(DelegateMember.DidReceiveData);
        DelegateInspector.ImplementedBy(typeof(CompleteAndRedirectDelegate)).Should().HaveFlag(DelegateMember.DidComplete)
            .And.HaveFlag(DelegateMember.WillPerformHttpRedirection)
            .And.NotHaveFlag(DelegateMember.DidCreateTask);
    }

    private sealed class DataOnlyDelegate : IDataTaskDelegate
    {
        public ConcurrentQueue<byte[]> Chunks { get; } = new();

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data) => Chunks.Enqueue(data.ToArray());
    }

    // Implements some members, not all (the shared RecordingDelegate implements every one).
    private sealed class CompleteAndRedirectDelegate : IDataTaskDelegate
    {
        public ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest) =>
            ValueTask.FromResult<UrlRequest?>(newRequest);

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
        {
        }
    }
}
