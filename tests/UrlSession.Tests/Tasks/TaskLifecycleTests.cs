using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class TaskLifecycleTests
{
    private static readonly Uri Url = new("http://example.test/item");

    [Fact]
    public async Task A_new_task_is_suspended_and_sends_nothing()
    {
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        await using var session = TestSessions.Mock(mock);

        var task = session.CreateDataTask(Url);

        task.State.Should().Be(SessionTaskState.Suspended);
        task.Completion.IsCompleted.Should().BeFalse();
        task.OriginalRequest!.Url.Should().Be(Url);
        mock.GetMatchCount(sent).Should().Be(0);
        task.Cancel();
    }

    [Fact]
    public async Task Resume_runs_the_task_to_completed()
    {
        var recorder = new RecordingDelegate();
        await using var transfer = await GatedTransfer.StartAsync(Url, recorder);
        var (task, body) = (transfer.Task, transfer.Body);
        task.State.Should().Be(SessionTaskState.Running);
        body.Feed("hi"u8.ToArray());
        body.Finish();
        await task.Completion;

        task.State.Should().Be(SessionTaskState.Completed);
        task.Error.Should().BeNull();
        task.CountOfBytesReceived.Should().Be(2);
        recorder.Data.ToArray().Should().Equal("hi"u8.ToArray());
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Cancel_before_resume_completes_with_Cancelled_once_and_sends_nothing()
    {
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(Url);

        task.Cancel();
        task.Cancel();
        await task.Completion;

        task.State.Should().Be(SessionTaskState.Completed);
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.CompletionCount.Should().Be(1);
        recorder.Errors.Single()!.Code.Should().Be(UrlErrorCode.Cancelled);
        mock.GetMatchCount(sent).Should().Be(0);
    }

    [Fact]
    public async Task Cancel_while_running_completes_with_Cancelled_exactly_once()
    {
        var recorder = new RecordingDelegate();
        await using var transfer = await GatedTransfer.StartAsync(Url, recorder);
        var (task, body) = (transfer.Task, transfer.Body);

        task.Cancel();
        task.Cancel();
        await task.Completion;
        task.Cancel();

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.Error.FailingUrl.Should().Be(Url);
        task.State.Should().Be(SessionTaskState.Completed);
        recorder.CompletionCount.Should().Be(1);
        recorder.Events[^1].Should().Be("complete Cancelled");
    }

    [Fact]
    public async Task A_cancelled_task_cannot_be_resumed()
    {
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(Url);
        task.Cancel();
        await task.Completion;

        task.Resume();
        task.Suspend();
        task.Resume();

        task.State.Should().Be(SessionTaskState.Completed);
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        mock.GetMatchCount(sent).Should().Be(0);
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Task_identifiers_are_unique_and_increasing()
    {
        await using var session = TestSessions.Mock(new MockHttpMessageHandler());

        var tasks = Enumerable.Range(0, 20).Select(_ => session.CreateDataTask(Url)).ToList();

        tasks.Select(t => t.TaskIdentifier).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        tasks[^1].TaskIdentifier.Should().BeGreaterThan(tasks[0].TaskIdentifier);
        tasks.ForEach(t => t.Cancel());
    }

    [Fact]
    public async Task Task_identifiers_are_unique_when_created_concurrently()
    {
        await using var session = TestSessions.Mock(new MockHttpMessageHandler());

        var tasks = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => session.CreateDataTask(Url))));

        tasks.Select(t => t.TaskIdentifier).Should().OnlyHaveUniqueItems();
        foreach (var task in tasks)
        {
            task.Cancel();
        }
    }

    [Fact]
    public async Task Completed_tasks_leave_GetAllTasksAsync()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(HttpStatusCode.OK, "text/plain", "x");
        await using var session = TestSessions.Mock(mock);
        var first = session.CreateDataTask(Url);
        var second = session.CreateDataTask(Url);

        (await session.GetAllTasksAsync()).Should().Equal(first, second);
        await first.RunAsync();

        (await session.GetAllTasksAsync()).Should().Equal(second);
        second.Cancel();
        await second.Completion;
        (await session.GetAllTasksAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Completion_never_faults_even_when_the_task_fails()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Throw(new HttpRequestException("boom", null, HttpStatusCode.BadGateway));
        await using var session = TestSessions.Mock(mock);
        var task = session.CreateDataTask(Url);

        await task.RunAsync();

        task.Completion.IsCompletedSuccessfully.Should().BeTrue();
        task.Error.Should().NotBeNull();
        task.Error!.FailingUrl.Should().Be(Url);
    }

    [Fact]
    public async Task Completion_handler_task_runs_once_resumed()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(HttpStatusCode.OK, "text/plain", "x");
        await using var session = TestSessions.Mock(mock);
        var calls = 0;
        var task = session.CreateDataTask(Url, (_, _, _) => Interlocked.Increment(ref calls));

        await task.RunAsync();

        calls.Should().Be(1);
        task.Response.Should().BeOfType<HttpUrlResponse>().Which.StatusCode.Should().Be(200);
    }
}
