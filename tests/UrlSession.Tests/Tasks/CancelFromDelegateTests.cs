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
        var backpressure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dataEvents = 0;
        var recorder = new RecordingDelegate
        {
            OnEvent = e =>
            {
                if (e is { Name: "data", Task: { } running } && Interlocked.Increment(ref dataEvents) == 1)
                {
                    // Let the pipe fill up so more data is waiting when the task is cancelled.
                    backpressure.Task.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
                    running.Cancel();
                }
            },
        };
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(new Uri("http://example.test/big"));
        task.OnBackpressure = () => backpressure.TrySetResult();

        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.Of("data").Should().HaveCount(1, "no data event follows Cancel, although more data was buffered");
        recorder.CompletionCount.Should().Be(1);
        generated.Position.Should().BeLessThan(generated.Length);
    }

    [Fact]
    public async Task Cancel_inside_DidComplete_changes_nothing()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "x");
        var recorder = new RecordingDelegate { BeforeEvent = (name, task) => (name == "complete" ? task : null)?.Cancel() };
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        task.State.Should().Be(SessionTaskState.Completed);
        recorder.CompletionCount.Should().Be(1);
    }
}
