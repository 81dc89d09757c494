using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class SlowDelegateTimeoutTests
{
    private static readonly Uri Url = new("http://example.test/big");

    private readonly FakeTimeProvider _time = new();
    private readonly GeneratedStream _generated = new(8L * 1024 * 1024);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly BlockingDelegate _slow = new();

    public SlowDelegateTimeoutTests() => _mock.When(Url.ToString()).Respond(_ => _generated.Response());

    /// <summary>A session with a 10 s idle timeout whose delegate holds every DidReceiveData until released.</summary>
    private UrlSession Session(TimeSpan? resource = null)
    {
        var configuration = TestSessions.Configuration(_mock, _time);
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(10);
        if (resource is { } limit)
        {
            configuration.TimeoutIntervalForResource = limit;
        }

        return new UrlSession(configuration, _slow);
    }

    /// <summary>Starts the big download and returns once the held-up delegate made backpressure stop the reading.</summary>
    private static async Task<DataTask> StartHeldUpAsync(UrlSession session)
    {
        var task = session.CreateDataTask(Url);
        var backpressure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        task.OnBackpressure = () => backpressure.TrySetResult();
        task.Resume();
        await backpressure.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return task;
    }

    [Fact]
    public async Task Time_the_pump_waits_for_a_slow_delegate_is_not_network_idle_time()
    {
        await using var session = Session();
        var task = await StartHeldUpAsync(session);

        _time.Advance(TimeSpan.FromSeconds(60));
        var state = task.State;
        _slow.Release();
        state.Should().Be(SessionTaskState.Running, "the server did not stall: the delegate is slow and backpressure stopped reading");
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull();
        _slow.Received.Should().Be(_generated.Length);
    }

    [Fact]
    public async Task The_resource_timeout_still_bounds_a_task_held_up_by_a_slow_delegate()
    {
        await using var session = Session(resource: TimeSpan.FromSeconds(30));
        var task = await StartHeldUpAsync(session);

        _time.Advance(TimeSpan.FromSeconds(30));
        _slow.Release();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.TimedOut);
        task.Error.Message.Should().Contain("resource timeout");
    }

    private sealed class BlockingDelegate : IDataTaskDelegate
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _received;

        public long Received => Interlocked.Read(ref _received);

        public void Release() => _release.TrySetResult();

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
        {
            _release.Task.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
            Interlocked.Add(ref _received, data.Length);
        }
    }
}
