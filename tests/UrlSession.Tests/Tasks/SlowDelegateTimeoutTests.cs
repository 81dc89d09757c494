using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

public sealed class SlowDelegateTimeoutTests
{
    [Fact]
    public async Task Time_the_pump_waits_for_a_slow_delegate_is_not_network_idle_time()
    {
        var time = new FakeTimeProvider();
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(8L * 1024 * 1024);
        mock.When("http://example.test/big").Respond(_ => generated.Response());
        var configuration = MockSession.Configuration(mock, time);
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(10);
        var slow = new BlockingDelegate();
        await using var session = new UrlSession(configuration, slow);
        var task = session.CreateDataTask(new Uri("http://example.test/big"));
        var backpressure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        task.OnBackpressure = () => backpressure.TrySetResult();

        task.Resume();
        await backpressure.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(60));
        var state = task.State;
        slow.Release();
        state.Should().Be(SessionTaskState.Running, "the server did not stall: the delegate is slow and backpressure stopped reading");
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull();
        slow.Received.Should().Be(generated.Length);
    }

    [Fact]
    public async Task The_resource_timeout_still_bounds_a_task_held_up_by_a_slow_delegate()
    {
        var time = new FakeTimeProvider();
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(8L * 1024 * 1024);
        mock.When("http://example.test/big").Respond(_ => generated.Response());
        var configuration = MockSession.Configuration(mock, time);
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(10);
        configuration.TimeoutIntervalForResource = TimeSpan.FromSeconds(30);
        var slow = new BlockingDelegate();
        await using var session = new UrlSession(configuration, slow);
        var task = session.CreateDataTask(new Uri("http://example.test/big"));
        var backpressure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        task.OnBackpressure = () => backpressure.TrySetResult();

        task.Resume();
        await backpressure.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(30));
        slow.Release();
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
