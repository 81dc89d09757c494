using System.Net;
using UrlSessions.Tests.Support;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Tasks;

public sealed class WaitsForConnectivityTests
{
    [Fact]
    public async Task Unreachable_host_waits_reports_once_and_retries_after_the_pause()
    {
        var time = new TimerCountingTimeProvider();
        var mock = new MockHttpMessageHandler();
        var attempts = 0;
        mock.When("http://example.test/*").Respond(_ =>
        {
            if (Interlocked.Increment(ref attempts) <= 2)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("up") };
        });
        var observer = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, observer, time, c => c.WaitsForConnectivity = true);

        var task = session.CreateDataTask(new Uri("http://example.test/x"), (_, _, _) => { });
        task.Resume();
        await observer.Heard("waiting");

        // Timers: the task's timeout timer, then one pause per failed attempt (1 s, then 2 s).
        await time.TimersCreated(2);
        time.Advance(TimeSpan.FromSeconds(1));
        await time.TimersCreated(3);
        time.Advance(TimeSpan.FromSeconds(2));
        await task.Completion;

        task.Error.Should().BeNull();
        attempts.Should().Be(3);
        observer.Of("waiting").Should().HaveCount(1);
    }

    [Fact]
    public async Task Without_WaitsForConnectivity_an_unreachable_host_fails_at_once()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Throw(new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        await using var session = TestSessions.Mock(mock);

        var act = () => session.DataAsync(new Uri("http://example.test/x"));

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.CannotConnectToHost);
    }
}
