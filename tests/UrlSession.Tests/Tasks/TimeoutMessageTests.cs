using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class TimeoutMessageTests
{
    [Fact]
    public async Task The_timeout_message_names_the_interval_of_the_request_that_timed_out_not_the_original_ones()
    {
        var time = new TimerCountingTimeProvider();
        var hanging = new HangingHandler();
        var replacement = new UrlRequest(new Uri("http://example.test/replaced")) { TimeoutInterval = TimeSpan.FromSeconds(5) };
        await using var session = TestSessions.Mock(hanging, new Replacing(replacement), time);
        var task = session.CreateDataTask(new UrlRequest(new Uri("http://example.test/original")) { TimeoutInterval = TimeSpan.FromSeconds(60) });
        task.EarliestBeginDate = time.GetUtcNow().AddSeconds(-1);

        task.Resume();
        await hanging.Entered;
        await time.TimersCreated(1);
        time.Advance(TimeSpan.FromSeconds(5));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.Error.Message.Should().Contain("00:00:05").And.Contain("/replaced").And.NotContain("00:01:00");
    }

    private sealed class Replacing(UrlRequest replacement) : ISessionTaskDelegate
    {
        public ValueTask<DelayedRequestResult> WillBeginDelayedRequestAsync(UrlSession session, SessionTask task, UrlRequest request) =>
            ValueTask.FromResult(new DelayedRequestResult(DelayedRequestDisposition.UseNewRequest, replacement));
    }
}
