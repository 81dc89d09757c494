using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class CancelFromDelegateTests
{
    [Fact]
    public async Task Cancel_inside_DidReceiveData_stops_data_events_and_completes_Cancelled_once()
    {
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(32L * 1024 * 1024);
        mock.When("http://example.test/big").Respond(_ => generated.Response());
        var recorder = new CancelOnFirstDataDelegate();
        await using var session = MockSession.Create(mock, recorder);
        var task = session.CreateDataTask(new Uri("http://example.test/big"));
        var backpressure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        task.OnBackpressure = () => backpressure.TrySetResult();
        recorder.HoldFirstChunkUntil = backpressure.Task;

        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.DataEvents.Should().Be(1, "no data event follows Cancel, although more data was buffered");
        recorder.DidCompleteCount.Should().Be(1);
        generated.Position.Should().BeLessThan(generated.Length);
    }

    [Fact]
    public async Task Cancel_inside_DidComplete_changes_nothing()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "x");
        var recorder = new CancelInCompleteDelegate();
        await using var session = MockSession.Create(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        task.State.Should().Be(SessionTaskState.Completed);
        recorder.DidCompleteCount.Should().Be(1);
    }

    private sealed class CancelOnFirstDataDelegate : RecordingDelegate
    {
        private int _dataEvents;

        public Task HoldFirstChunkUntil { get; set; } = Task.CompletedTask;

        public int DataEvents => Volatile.Read(ref _dataEvents);

        public override void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
        {
            if (Interlocked.Increment(ref _dataEvents) == 1)
            {
                // Let the pipe fill up so more data is waiting when the task is cancelled.
                HoldFirstChunkUntil.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
                task.Cancel();
            }
        }
    }

    private sealed class CancelInCompleteDelegate : RecordingDelegate
    {
        public override void DidComplete(UrlSession session, SessionTask task, UrlError? error)
        {
            task.Cancel();
            base.DidComplete(session, task, error);
        }
    }
}
