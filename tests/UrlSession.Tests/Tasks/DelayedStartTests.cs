using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class DelayedStartTests
{
    private static readonly Uri Url = new("http://example.test/later");

    [Fact]
    public async Task A_task_with_a_future_EarliestBeginDate_sends_nothing_before_it()
    {
        var time = new SignalingTimeProvider();
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK, "text/plain", "x");
        var recorder = new DelayRecordingDelegate();
        var configuration = TestSessions.Configuration(mock, time);
        configuration.TimeoutIntervalForResource = TimeSpan.FromSeconds(10);
        await using var session = new UrlSession(configuration, recorder);
        var task = session.CreateDataTask(Url);
        task.EarliestBeginDate = time.GetUtcNow().AddHours(1);

        task.Resume();
        (await time.FirstFiniteTimer).Should().Be(TimeSpan.FromHours(1));
        mock.GetMatchCount(sent).Should().Be(0);
        time.Advance(TimeSpan.FromHours(1));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull("the resource timeout counts from the begin date, not from Resume");
        mock.GetMatchCount(sent).Should().Be(1);
        recorder.Asked.Should().Be(1);
    }

    [Fact]
    public async Task WillBeginDelayedRequest_can_replace_the_request()
    {
        var mock = new MockHttpMessageHandler();
        var original = mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        var replacement = mock.When("http://example.test/fresh").Respond(HttpStatusCode.OK);
        var recorder = new DelayRecordingDelegate
        {
            Answer = new DelayedRequestResult(DelayedRequestDisposition.UseNewRequest, new UrlRequest(new Uri("http://example.test/fresh"))),
        };
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(Url);
        task.EarliestBeginDate = DateTimeOffset.UtcNow.AddMinutes(-1);

        await task.RunAsync();

        task.Error.Should().BeNull();
        mock.GetMatchCount(original).Should().Be(0);
        mock.GetMatchCount(replacement).Should().Be(1);
        task.CurrentRequest!.Url.Should().Be(new Uri("http://example.test/fresh"));
    }

    [Fact]
    public async Task WillBeginDelayedRequest_can_cancel_the_task()
    {
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        var recorder = new DelayRecordingDelegate { Answer = new DelayedRequestResult(DelayedRequestDisposition.Cancel) };
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(Url);
        task.EarliestBeginDate = DateTimeOffset.UtcNow.AddMinutes(-1);

        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        mock.GetMatchCount(sent).Should().Be(0);
    }

    [Fact]
    public async Task Without_EarliestBeginDate_WillBeginDelayedRequest_is_not_called()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        var recorder = new DelayRecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        await session.CreateDataTask(Url).RunAsync();

        recorder.Asked.Should().Be(0);
    }

    [Fact]
    public async Task Cancel_during_the_delay_completes_with_Cancelled()
    {
        var time = new SignalingTimeProvider();
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        await using var session = TestSessions.Mock(mock, time: time);
        var task = session.CreateDataTask(Url);
        task.EarliestBeginDate = time.GetUtcNow().AddHours(1);
        task.Resume();
        await time.FirstFiniteTimer;

        task.Cancel();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        mock.GetMatchCount(sent).Should().Be(0);
    }

    private sealed class DelayRecordingDelegate : IDataTaskDelegate
    {
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public DelayedRequestResult Answer { get; init; } = new(DelayedRequestDisposition.ContinueLoading);

        public ValueTask<DelayedRequestResult> WillBeginDelayedRequestAsync(UrlSession session, SessionTask task, UrlRequest request)
        {
            Interlocked.Increment(ref _asked);
            return ValueTask.FromResult(Answer);
        }
    }
}
