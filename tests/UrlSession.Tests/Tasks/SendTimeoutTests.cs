using Microsoft.Extensions.Time.Testing;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class SendTimeoutTests
{
    private static readonly Uri Url = new("http://example.test/never");

    [Fact]
    public async Task A_server_that_never_answers_times_out_and_the_send_is_cancelled()
    {
        var time = new FakeTimeProvider();
        var hanging = new HangingHandler();
        await using var session = TestSessions.Mock(hanging, time: time, configure: c => c.TimeoutIntervalForRequest = TimeSpan.FromSeconds(15));
        var task = session.CreateDataTask(Url);
        task.Resume();
        await hanging.Entered;

        time.Advance(TimeSpan.FromSeconds(14));
        task.State.Should().Be(SessionTaskState.Running);
        time.Advance(TimeSpan.FromSeconds(1));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await hanging.Cancelled;

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.Response.Should().BeNull();
    }

    [Fact]
    public async Task Cancel_while_waiting_for_the_response_cancels_the_send()
    {
        var hanging = new HangingHandler();
        await using var session = TestSessions.Mock(hanging);
        var task = session.CreateDataTask(Url);
        task.Resume();
        await hanging.Entered;

        task.Cancel();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await hanging.Cancelled;

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
    }
}
