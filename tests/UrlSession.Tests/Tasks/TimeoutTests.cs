using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class TimeoutTests
{
    private static readonly Uri Url = new("http://example.test/slow");

    private readonly FakeTimeProvider _time = new();
    private readonly GatedStream _body = new();
    private readonly MockHttpMessageHandler _mock = new();

    public TimeoutTests() => _mock.When(Url.ToString()).Respond(_ => _body.Response());

    private UrlSession Session(TimeSpan? request = null, TimeSpan? resource = null, ISessionDelegate? sessionDelegate = null)
    {
        var configuration = TestSessions.Configuration(_mock, _time);
        configuration.TimeoutIntervalForRequest = request ?? TimeSpan.FromSeconds(60);
        configuration.TimeoutIntervalForResource = resource ?? TimeSpan.FromDays(7);
        return new UrlSession(configuration, sessionDelegate);
    }

    /// <summary>Starts a task on the gated body and returns once the pump waits for the first byte.</summary>
    private async Task<DataTask> StartBlockedAsync(UrlSession session, UrlRequest request)
    {
        var task = session.CreateDataTask(request);
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);
        return task;
    }

    /// <summary>Moves the clock by <paramref name="by"/> and checks the task then ends with TimedOut.</summary>
    private async Task<UrlError> TimesOutAfterAsync(SessionTask task, TimeSpan by)
    {
        _time.Advance(by);
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        return task.Error;
    }

    /// <summary>Feeds one byte after each <paramref name="interval"/> of clock time, waiting each time until the pump read it.</summary>
    private async Task FeedOneByteEveryAsync(TimeSpan interval, int times)
    {
        for (var i = 0; i < times; i++)
        {
            _time.Advance(interval);
            _body.Feed([(byte)i]);
            await _body.WaitForBlockedReadAsync(i + 2);
        }
    }

    [Fact]
    public async Task Tasks_of_one_session_share_a_timer_yet_each_times_out_at_its_own_deadline()
    {
        var laterUrl = new Uri("http://example.test/slow-too");
        var laterBody = new GatedStream();
        _mock.When(laterUrl.ToString()).Respond(_ => laterBody.Response());
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var first = await StartBlockedAsync(session, Url);
        var second = session.CreateDataTask(new UrlRequest(laterUrl) { TimeoutInterval = TimeSpan.FromSeconds(5) });
        second.Resume();
        await laterBody.WaitForBlockedReadAsync(1);

        _time.Advance(TimeSpan.FromSeconds(4));
        first.State.Should().Be(SessionTaskState.Running);
        second.State.Should().Be(SessionTaskState.Running);
        await TimesOutAfterAsync(second, TimeSpan.FromSeconds(1));
        first.State.Should().Be(SessionTaskState.Running, "the earlier deadline of the later task must not move the first task's");

        await TimesOutAfterAsync(first, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task No_bytes_for_longer_than_the_request_timeout_fails_with_TimedOut()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var task = await StartBlockedAsync(session, Url);

        _time.Advance(TimeSpan.FromSeconds(9));
        task.State.Should().Be(SessionTaskState.Running);
        var error = await TimesOutAfterAsync(task, TimeSpan.FromSeconds(1));
        error.FailingUrl.Should().Be(Url);
        error.Message.Should().Contain("timed out");
    }

    [Fact]
    public async Task Arriving_bytes_restart_the_idle_wait()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var task = await StartBlockedAsync(session, Url);

        await FeedOneByteEveryAsync(TimeSpan.FromSeconds(8), times: 5);

        task.State.Should().Be(SessionTaskState.Running, "40 s passed, but never 10 s without bytes");
        _time.Advance(TimeSpan.FromSeconds(9));
        task.State.Should().Be(SessionTaskState.Running);
        await TimesOutAfterAsync(task, TimeSpan.FromSeconds(1));
        task.CountOfBytesReceived.Should().Be(5);
    }

    [Fact]
    public async Task A_body_finishing_in_time_succeeds()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var task = await StartBlockedAsync(session, Url);

        _time.Advance(TimeSpan.FromSeconds(9));
        _body.Feed([1, 2, 3]);
        _body.Finish();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromMinutes(5));

        task.Error.Should().BeNull();
    }

    [Fact]
    public async Task A_shorter_request_TimeoutInterval_overrides_the_session()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(60));
        var task = await StartBlockedAsync(session, new UrlRequest(Url) { TimeoutInterval = TimeSpan.FromSeconds(5) });

        var error = await TimesOutAfterAsync(task, TimeSpan.FromSeconds(5));
        error.Message.Should().Contain("00:00:05");
    }

    [Fact]
    public async Task A_longer_request_TimeoutInterval_overrides_the_session()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(5));
        var task = await StartBlockedAsync(session, new UrlRequest(Url) { TimeoutInterval = TimeSpan.FromSeconds(30) });

        _time.Advance(TimeSpan.FromSeconds(29));
        task.State.Should().Be(SessionTaskState.Running);
        await TimesOutAfterAsync(task, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task The_resource_timeout_bounds_the_whole_task_even_while_bytes_flow()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10), resource: TimeSpan.FromSeconds(30));
        var task = await StartBlockedAsync(session, Url);

        await FeedOneByteEveryAsync(TimeSpan.FromSeconds(9), times: 3);

        task.State.Should().Be(SessionTaskState.Running);
        var error = await TimesOutAfterAsync(task, TimeSpan.FromSeconds(3));
        error.Message.Should().Contain("resource timeout");
    }

    [Fact]
    public async Task The_idle_timeout_does_not_count_while_suspended_but_the_resource_timeout_does()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10), resource: TimeSpan.FromSeconds(100));
        var task = await StartBlockedAsync(session, Url);

        task.Suspend();
        _time.Advance(TimeSpan.FromSeconds(50));
        task.State.Should().Be(SessionTaskState.Suspended);
        var error = await TimesOutAfterAsync(task, TimeSpan.FromSeconds(50));
        error.Message.Should().Contain("resource timeout");
    }

    [Fact]
    public async Task A_timed_out_task_reports_TimedOut_to_the_delegate_once()
    {
        var recorder = new RecordingDelegate();
        await using var session = Session(request: TimeSpan.FromSeconds(1), sessionDelegate: recorder);
        var task = await StartBlockedAsync(session, Url);

        await TimesOutAfterAsync(task, TimeSpan.FromSeconds(1));
        task.Cancel();

        recorder.CompletionCount.Should().Be(1);
        recorder.Errors.Single()!.Code.Should().Be(UrlErrorCode.TimedOut);
    }
}
