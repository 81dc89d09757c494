using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class ConcurrentControlTests
{
    private static readonly Uri Url = new("http://example.test/c");

    [Fact]
    public async Task Concurrent_Resume_calls_start_the_task_once()
    {
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK, "text/plain", "x");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(Url);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resumes = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            task.Resume();
        })).ToArray();

        start.SetResult();
        await Task.WhenAll(resumes);
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        mock.GetMatchCount(sent).Should().Be(1);
        recorder.CompletionCount.Should().Be(1);
        recorder.Data.ToArray().Should().Equal("x"u8.ToArray());
    }

    [Fact]
    public async Task Racing_Resume_Suspend_and_Cancel_complete_the_task_exactly_once()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(HttpStatusCode.OK, "text/plain", "x");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        var tasks = Enumerable.Range(0, 50).Select(_ => session.CreateDataTask(Url)).ToArray();

        await Task.WhenAll(tasks.SelectMany(t => new[]
        {
            Task.Run(t.Resume),
            Task.Run(t.Suspend),
            Task.Run(t.Resume),
            Task.Run(t.Cancel),
        }));
        await Task.WhenAll(tasks.Select(t => t.Completion)).WaitAsync(TimeSpan.FromSeconds(30));

        recorder.CompletionCount.Should().Be(tasks.Length);
        tasks.Should().OnlyContain(t => t.State == SessionTaskState.Completed);
        tasks.Should().OnlyContain(t => t.Error == null || t.Error.Code == UrlErrorCode.Cancelled);
        (await session.GetAllTasksAsync()).Should().BeEmpty();
    }
}
