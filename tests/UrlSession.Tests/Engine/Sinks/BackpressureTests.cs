using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Engine.Sinks;

public sealed class BackpressureTests
{
    private const long BodyLength = 256L * 1024 * 1024;

    [Fact]
    public async Task A_slow_delegate_keeps_the_buffered_bytes_within_the_window_for_a_256_MiB_body()
    {
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(BodyLength);
        mock.When("http://example.test/huge").Respond(_ => generated.Response());
        var slow = new SlowDelegate();
        await using var session = TestSessions.Mock(mock, slow);
        var task = session.CreateDataTask(new Uri("http://example.test/huge"));
        task.OnBackpressure = slow.ReleaseFirstChunk;

        await task.RunAsync();

        task.Error.Should().BeNull();
        slow.BackpressureSeen.Should().BeTrue("the delegate held the first chunk until the pump had to wait");
        slow.Received.Should().Be(BodyLength);
        slow.InOrder.Should().BeTrue("every byte must arrive once and in order");
        task.CountOfBytesReceived.Should().Be(BodyLength);
        task.MaxBufferedBytes.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(DelegatePipeSink.Window + DelegatePipeSink.ChunkSize);
    }

    [Fact]
    public async Task A_BytesAsync_reader_sees_every_byte_in_order_and_the_buffered_bytes_stay_within_the_window()
    {
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(64L * 1024 * 1024);
        mock.When("http://example.test/huge").Respond(_ => generated.Response());
        await using var session = TestSessions.Mock(mock);
        var (_, body) = await session.BytesAsync(new Uri("http://example.test/huge"));
        var task = (DataTask)(await session.GetAllTasksAsync()).Single();

        var copy = new byte[256 * 1024];
        long offset = 0;
        await using (body)
        {
            int read;
            while ((read = await body.ReadAsync(copy)) > 0)
            {
                GeneratedStream.Matches(copy.AsSpan(0, read), offset).Should().BeTrue();
                offset += read;
            }
        }

        await task.Completion;
        offset.Should().Be(generated.Length);
        task.MaxBufferedBytes.Should().BeLessThanOrEqualTo(DelegatePipeSink.Window + DelegatePipeSink.ChunkSize);
    }

    private sealed class SlowDelegate : IDataTaskDelegate
    {
        private readonly TaskCompletionSource _backpressure = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _received;
        private bool _inOrder = true;

        public bool BackpressureSeen => _backpressure.Task.IsCompleted;

        public long Received => Volatile.Read(ref _received);

        public bool InOrder => Volatile.Read(ref _inOrder);

        public void ReleaseFirstChunk() => _backpressure.TrySetResult();

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data)
        {
            if (_received == 0)
            {
                // The slow consumer: hold the first chunk until the pump reports it must wait for us.
                _backpressure.Task.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
            }

            if (!GeneratedStream.Matches(data.Span, _received))
            {
                _inOrder = false;
            }

            _received += data.Length;
        }
    }
}
