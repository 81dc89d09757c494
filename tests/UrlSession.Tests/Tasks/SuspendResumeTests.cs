using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class SuspendResumeTests
{
    private static readonly Uri Url = new("http://example.test/body");

    [Fact]
    public async Task One_Resume_undoes_any_number_of_Suspends()
    {
        var recorder = new RecordingDelegate();
        await using var transfer = await GatedTransfer.StartAsync(Url, recorder);
        var (task, body) = (transfer.Task, transfer.Body);

        task.Suspend();
        task.Suspend();
        task.Suspend();
        task.State.Should().Be(SessionTaskState.Suspended);
        task.Resume();
        task.State.Should().Be(SessionTaskState.Running);
        body.Feed("abc"u8.ToArray());
        body.Finish();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull();
        recorder.Data.ToArray().Should().Equal("abc"u8.ToArray());
    }

    [Fact]
    public async Task Data_fed_while_suspended_arrives_after_Resume_in_order()
    {
        var suspended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new RecordingDelegate();
        recorder.OnEvent = e =>
        {
            if (e is { Name: "data", Task: { } task } && !suspended.Task.IsCompleted)
            {
                task.Suspend();
                suspended.TrySetResult();
            }
        };
        await using var transfer = await GatedTransfer.StartAsync(Url, recorder);
        var (task, body) = (transfer.Task, transfer.Body);
        body.Feed("first"u8.ToArray());
        await suspended.Task.WaitAsync(TimeSpan.FromSeconds(30));

        task.State.Should().Be(SessionTaskState.Suspended);
        body.Feed("second"u8.ToArray());
        body.Finish();
        task.Completion.IsCompleted.Should().BeFalse("a suspended task does not finish");
        task.Resume();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull();
        recorder.Data.ToArray().Should().Equal("firstsecond"u8.ToArray());
    }

    [Fact]
    public async Task Cancel_while_suspended_completes_with_Cancelled()
    {
        var recorder = new RecordingDelegate();
        await using var transfer = await GatedTransfer.StartAsync(Url, recorder);
        var (task, body) = (transfer.Task, transfer.Body);
        task.Suspend();

        task.Cancel();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Suspend_and_Resume_of_a_completed_task_change_nothing()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond("text/plain", "x");
        await using var session = TestSessions.Mock(mock);
        var task = session.CreateDataTask(Url);
        await task.RunAsync();

        task.Suspend();
        task.State.Should().Be(SessionTaskState.Completed);
        task.Resume();
        task.Cancel();

        task.State.Should().Be(SessionTaskState.Completed);
        task.Error.Should().BeNull();
    }
}
