using System.Net;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Engine;

/// <summary>Once a stop won the state (Canceling), the task completes with the stop's reason, whatever its run returns.</summary>
public sealed class CancelWinsTests
{
    [Fact]
    public async Task A_task_cancelled_in_its_last_data_event_completes_Cancelled_not_successfully()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "application/octet-stream", new MemoryStream(new byte[100]));
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(new Uri("http://example.test/small"));
        recorder.OnData = total =>
        {
            if (total == 100)
            {
                task.Cancel();
            }
        };

        task.Resume();
        var error = await recorder.Completed.Within();

        error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
    }
}
