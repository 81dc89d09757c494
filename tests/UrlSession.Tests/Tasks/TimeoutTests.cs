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

    private UrlSession Session(TimeSpan? request = null, TimeSpan? resource = null)
    {
        var configuration = MockSession.Configuration(_mock, _time);
        configuration.TimeoutIntervalForRequest = request ?? TimeSpan.FromSeconds(60);
        configuration.TimeoutIntervalForResource = resource ?? TimeSpan.FromDays(7);
        return new UrlSession(configuration);
    }

    [Fact]
    public async Task Tasks_of_one_session_share_a_timer_yet_each_times_out_at_its_own_deadline()
    {
        var laterUrl = new Uri("http://example.test/slow-too");
        var laterBody = new GatedStream();
        _mock.When(laterUrl.ToString()).Respond(_ => laterBody.Response());
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var first = session.CreateDataTask(Url);
        first.Resume();
        await _body.WaitForBlockedReadAsync(1);
        var second = session.CreateDataTask(new UrlRequest(laterUrl) { TimeoutInterval = TimeSpan.FromSeconds(5) });
        second.Resume();
        await laterBody.WaitForBlockedReadAsync(1);

        _time.Advance(TimeSpan.FromSeconds(4));
        first.State.Should().Be(SessionTaskState.Running);
        second.State.Should().Be(SessionTaskState.Running);
        _time.Advance(TimeSpan.FromSeconds(1));
        await second.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        second.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        first.State.Should().Be(SessionTaskState.Running, "the earlier deadline of the later task must not move the first task's");

        _time.Advance(TimeSpan.FromSeconds(5));
        await first.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        first.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
    }

    [Fact]
    public async Task No_bytes_for_longer_than_the_request_timeout_fails_with_TimedOut()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var task = session.CreateDataTask(Url);
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

        _time.Advance(TimeSpan.FromSeconds(9));
        task.State.Should().Be(SessionTaskState.Running);
        _time.Advance(TimeSpan.FromSeconds(1));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.Error.FailingUrl.Should().Be(Url);
        task.Error.Message.Should().Contain("timed out");
    }

    [Fact]
    public async Task Arriving_bytes_restart_the_idle_wait()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var task = session.CreateDataTask(Url);
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(8));
            _body.Feed([(byte)i]);
            await _body.WaitForBlockedReadAsync(i + 2);
        }

        task.State.Should().Be(SessionTaskState.Running, "40 s passed, but never 10 s without bytes");
        _time.Advance(TimeSpan.FromSeconds(9));
        task.State.Should().Be(SessionTaskState.Running);
        _time.Advance(TimeSpan.FromSeconds(1));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.CountOfBytesReceived.Should().Be(5);
    }

    [Fact]
    public async Task A_body_finishing_in_time_succeeds()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10));
        var task = session.CreateDataTask(Url);
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

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
        var task = session.CreateDataTask(new UrlRequest(Url) { TimeoutInterval = TimeSpan.FromSeconds(5) });
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

        _time.Advance(TimeSpan.FromSeconds(5));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.Error.Message.Should().Contain("00:00:05");
    }

    [Fact]
    public async Task A_longer_request_TimeoutInterval_overrides_the_session()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(5));
        var task = session.CreateDataTask(new UrlRequest(Url) { TimeoutInterval = TimeSpan.FromSeconds(30) });
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

        _time.Advance(TimeSpan.FromSeconds(29));
        task.State.Should().Be(SessionTaskState.Running);
        _time.Advance(TimeSpan.FromSeconds(1));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
    }

    [Fact]
    public async Task The_resource_timeout_bounds_the_whole_task_even_while_bytes_flow()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10), resource: TimeSpan.FromSeconds(30));
        var task = session.CreateDataTask(Url);
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(9));
            _body.Feed([(byte)i]);
            await _body.WaitForBlockedReadAsync(i + 2);
        }

        task.State.Should().Be(SessionTaskState.Running);
        _time.Advance(TimeSpan.FromSeconds(3));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.Error.Message.Should().Contain("resource timeout");
    }

    [Fact]
    public async Task The_idle_timeout_does_not_count_while_suspended_but_the_resource_timeout_does()
    {
        await using var session = Session(request: TimeSpan.FromSeconds(10), resource: TimeSpan.FromSeconds(100));
        var task = session.CreateDataTask(Url);
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

        task.Suspend();
        _time.Advance(TimeSpan.FromSeconds(50));
        task.State.Should().Be(SessionTaskState.Suspended);
        _time.Advance(TimeSpan.FromSeconds(50));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.Error.Message.Should().Contain("resource timeout");
    }

    [Fact]
    public async Task A_timed_out_task_reports_TimedOut_to_the_delegate_once()
    {
        var recorder = new RecordingDelegate();
        var configuration = MockSession.Configuration(_mock, _time);
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(1);
        await using var session = new UrlSession(configuration, recorder);
        var task = session.CreateDataTask(Url);
        task.Resume();
        await _body.WaitForBlockedReadAsync(1);

        _time.Advance(TimeSpan.FromSeconds(1));
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        task.Cancel();

        recorder.DidCompleteCount.Should().Be(1);
        recorder.Errors.Single()!.Code.Should().Be(UrlErrorCode.TimedOut);
    }
}
