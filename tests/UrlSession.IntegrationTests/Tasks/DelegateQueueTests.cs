using System.Text;

namespace UrlSessions.IntegrationTests.Tasks;

public sealed class DelegateQueueTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task Events_of_one_session_never_overlap()
    {
        var recorder = new OverlapDetector();
        await using var session = TestSessions.Ephemeral(recorder);
        var tasks = Enumerable.Range(0, 6).Select(_ => session.CreateDataTask(server.HttpUrl("/chunked/50000"))).ToList();
        tasks.ForEach(t => t.Resume());

        await Task.WhenAll(tasks.Select(t => t.Completion)).Within();

        recorder.MaxConcurrent.Should().Be(1);
        recorder.Bytes.Should().Be(6 * 50_000);
        tasks.Should().OnlyContain(t => t.Error == null);
    }

    [Fact]
    public async Task A_throwing_delegate_fails_its_task_but_not_the_session()
    {
        var recorder = new RecordingDelegate { BeforeEvent = (name, _) => ThrowOnData(name) };
        await using var session = TestSessions.Ephemeral(recorder);
        var failing = session.CreateDataTask(server.HttpUrl("/bytes/1000"));
        failing.Resume();

        var error = await recorder.Completed.Within();

        error.Should().NotBeNull();
        error!.InnerException.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom");
        var (data, _) = await session.DataAsync(server.HttpUrl("/hello")).Within();
        Encoding.UTF8.GetString(data).Should().Be("hello");
    }

    [Fact]
    public async Task Completion_handler_tasks_still_send_redirect_and_complete_events_to_the_delegate()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);

        var (data, response, error) = await session.LoadAsync(server.HttpUrl("/redirect/302?to=%2Fhello"));

        error.Should().BeNull();
        Encoding.UTF8.GetString(data!).Should().Be("hello");
        response!.Url.AbsolutePath.Should().Be("/hello");
        await recorder.Completed.Within();
        recorder.Names.Should().Equal("redirect", "complete");
    }

    [Fact]
    public async Task Cancel_from_DidReceiveResponse_completes_with_Cancelled_and_no_data()
    {
        var recorder = new RecordingDelegate { Disposition = ResponseDisposition.Cancel };
        await using var session = TestSessions.Ephemeral(recorder);
        session.CreateDataTask(server.HttpUrl("/bytes/1000")).Resume();

        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.Names.Should().Equal("response", "complete");
    }

    [Fact]
    public async Task A_slow_delegate_keeps_buffering_bounded_for_a_256_MiB_body()
    {
        const long Size = 256L * 1024 * 1024;
        var slow = new BlockingDelegate();
        await using var session = TestSessions.Ephemeral(slow);
        var task = session.CreateDataTask(server.HttpUrl($"/stream/{Size}"));
        task.OnBackpressure = slow.Unblock;
        task.Resume();

        (await slow.Completed.WaitAsync(TimeSpan.FromSeconds(60))).Should().BeNull();

        slow.Backpressured.Should().BeTrue("the first data event blocked until the pump had to wait");
        slow.Bytes.Should().Be(Size);
        task.MaxBufferedBytes.Should().BeLessThanOrEqualTo(1024 * 1024 + 64 * 1024);
    }

    [Fact]
    public async Task GetAllTasksAsync_lists_unfinished_tasks_only()
    {
        var id = GateRegistry.NewId();
        var stall = server.Gates.Stall(id);
        await using var session = TestSessions.Ephemeral();
        var suspended = session.CreateDataTask(server.HttpUrl("/hello"));
        var running = session.CreateDataTask(server.HttpUrl($"/stall?id={id}"));
        running.Resume();
        await stall.Started.Within();

        (await session.GetAllTasksAsync()).Should().Equal(suspended, running);
        stall.Release();
        await running.Completion.Within();
        (await session.GetAllTasksAsync()).Should().Equal(suspended);
        running.TaskIdentifier.Should().NotBe(suspended.TaskIdentifier);
        running.CountOfBytesReceived.Should().Be(200);
    }

    [Fact]
    public async Task Events_run_on_a_caller_supplied_scheduler()
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        var recorder = new RecordingDelegate();
        await using var session = new UrlSession(SessionConfiguration.Ephemeral, recorder, pair.ExclusiveScheduler);
        session.DelegateQueue.Should().BeSameAs(pair.ExclusiveScheduler);
        session.CreateDataTask(server.HttpUrl("/bytes/3000")).Resume();

        await recorder.Completed.Within();

        recorder.CoreLog.Select(e => e.Scheduler).Should().NotBeEmpty().And.OnlyContain(s => s == pair.ExclusiveScheduler);
    }

    private static void ThrowOnData(string name)
    {
        if (name == "data")
        {
            throw new InvalidOperationException("boom");
        }
    }

    private sealed class OverlapDetector : IDataTaskDelegate
    {
        private int _inside;
        private int _max;
        private long _bytes;

        public int MaxConcurrent => Volatile.Read(ref _max);

        public long Bytes => Interlocked.Read(ref _bytes);

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
        {
            var now = Interlocked.Increment(ref _inside);
            int max;
            while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
            {
            }

            Interlocked.Add(ref _bytes, data.Length);
            Thread.SpinWait(2000);
            Interlocked.Decrement(ref _inside);
        }
    }

    /// <summary>Blocks its first data event until the pump reports backpressure: as slow as a delegate can be.</summary>
    private sealed class BlockingDelegate : IDataTaskDelegate
    {
        private readonly ManualResetEventSlim _unblocked = new();
        private readonly TaskCompletionSource<UrlError?> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _bytes;

        public Task<UrlError?> Completed => _completed.Task;

        public long Bytes => Interlocked.Read(ref _bytes);

        public bool Backpressured => _unblocked.IsSet;

        public void Unblock() => _unblocked.Set();

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
        {
            _unblocked.Wait(TestSessions.Patience);
            Interlocked.Add(ref _bytes, data.Length);
        }

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => _completed.TrySetResult(error);
    }
}
