using System.Security.Cryptography;
using System.Text;

namespace UrlSessions.IntegrationTests.Tasks;

public sealed class StreamTaskTests(LoopbackServer server) : IClassFixture<LoopbackServer>, IAsyncLifetime
{
    private static readonly TimeSpan NoTimeout = TimeSpan.Zero;
    private readonly List<UrlSession> _sessions = [];

    public Task InitializeAsync() => Task.CompletedTask;

    // A stream task that can write runs until the caller closes it: a failed assertion must not leave the session's
    // DisposeAsync waiting for it, so the sessions are cancelled, not finished.
    public async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            session.InvalidateAndCancel();
            await session.DisposeAsync().AsTask().Within();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_101_the_stream_task_writes_and_reads_the_raw_connection(bool tls)
    {
        var observer = new StreamRecorder(server.Certificate);
        var session = Session(observer);
        var stream = await StartAsync(session, observer, tls ? server.HttpsUrl("/upgrade/echo") : server.HttpUrl("/upgrade/echo"));

        observer.Response!.StatusCode.Should().Be(101);
        stream.CanWrite.Should().BeTrue();
        foreach (var word in new[] { "ping", "a longer message", "x" })
        {
            await stream.WriteDataAsync(Encoding.ASCII.GetBytes(word), TimeSpan.FromSeconds(20)).Within();
            var (data, atEnd) = await stream.ReadDataAsync(word.Length, word.Length, TimeSpan.FromSeconds(20)).Within();
            Encoding.ASCII.GetString(data).Should().Be(word);
            atEnd.Should().BeFalse();
        }

        stream.CountOfBytesSent.Should().Be(21);
        stream.CloseWrite();
        stream.CloseRead();
        (await observer.Completed).Error.Should().BeNull();
        observer.Events.Should().ContainInOrder("response 101", "became stream", "read closed", "complete StreamTask");
        observer.Events.Should().Contain("write closed").And.NotContain("data");
    }

    [Fact]
    public async Task Echoing_a_megabyte_round_trips_every_byte()
    {
        var observer = new StreamRecorder(server.Certificate);
        var session = Session(observer);
        var stream = await StartAsync(session, observer, server.HttpUrl("/upgrade/echo"));
        var sent = RandomNumberGenerator.GetBytes(1024 * 1024);

        // Written while read: the echo would otherwise fill both directions' buffers and stall.
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < sent.Length; offset += 64 * 1024)
            {
                await stream.WriteDataAsync(sent.AsMemory(offset, 64 * 1024), TimeSpan.FromSeconds(20));
            }
        });
        using var received = new MemoryStream();
        while (received.Length < sent.Length)
        {
            var (data, atEnd) = await stream.ReadDataAsync(1, 256 * 1024, TimeSpan.FromSeconds(20)).Within();
            atEnd.Should().BeFalse();
            received.Write(data);
        }

        await writing.Within();
        SHA256.HashData(received.ToArray()).Should().Equal(SHA256.HashData(sent));
        stream.CountOfBytesReceived.Should().Be(sent.Length);
        stream.Cancel();
        (await observer.Completed).Error!.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    [Fact]
    public async Task The_server_closing_after_its_last_words_ends_the_read_side()
    {
        var observer = new StreamRecorder(server.Certificate);
        var session = Session(observer);
        var stream = await StartAsync(session, observer, server.HttpUrl("/upgrade/bye"));

        (await ReadLineAsync(stream)).Should().Be("hello\n");
        await stream.WriteDataAsync("bye\n"u8.ToArray(), TimeSpan.FromSeconds(20)).Within();
        var (goodbye, atEnd) = await stream.ReadDataAsync(8, 100, TimeSpan.FromSeconds(20)).Within();
        Encoding.ASCII.GetString(goodbye).Should().Be("goodbye\n");
        if (!atEnd)
        {
            // The end may come with the last bytes or on its own, depending on when the server's close arrived.
            var (rest, atEndNow) = await stream.ReadDataAsync(1, 100, TimeSpan.FromSeconds(20)).Within();
            rest.Should().BeEmpty();
            atEndNow.Should().BeTrue();
        }

        await observer.ReadClosedSeen;

        stream.State.Should().Be(SessionTaskState.Running, "the write side is still open");
        stream.CloseWrite();
        (await observer.Completed).Error.Should().BeNull();
    }

    [Fact]
    public async Task A_read_timeout_on_a_quiet_connection_throws_TimedOut_and_the_task_carries_on()
    {
        var observer = new StreamRecorder(server.Certificate);
        var session = Session(observer);
        var stream = await StartAsync(session, observer, server.HttpUrl("/upgrade/echo"));

        (await stream.Awaiting(s => s.ReadDataAsync(1, 10, TimeSpan.FromMilliseconds(50)).Within()).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.TimedOut);
        await stream.WriteDataAsync("still"u8.ToArray(), TimeSpan.FromSeconds(20)).Within();
        Encoding.ASCII.GetString((await stream.ReadDataAsync(5, 5, TimeSpan.FromSeconds(20)).Within()).Data).Should().Be("still");
        stream.Cancel();
    }

    [Fact]
    public async Task Without_an_upgrade_an_HTTP2_body_is_read_whole_and_the_task_cannot_write()
    {
        const long Size = 8L * 1024 * 1024;
        var observer = new StreamRecorder(server.Certificate);
        var session = Session(observer);
        var stream = await StartAsync(session, observer, server.HttpsUrl($"/stream/{Size}"), upgrade: false);

        observer.Response!.StatusCode.Should().Be(200);
        stream.CanWrite.Should().BeFalse();
        await stream.Awaiting(s => s.WriteDataAsync(new byte[1], NoTimeout)).Should().ThrowAsync<InvalidOperationException>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        var atEnd = false;
        while (!atEnd)
        {
            byte[] data;
            (data, atEnd) = await stream.ReadDataAsync(0 < Size - total ? 1 : 0, 128 * 1024, TimeSpan.FromSeconds(20)).Within();
            hash.AppendData(data);
            total += data.Length;
        }

        total.Should().Be(Size);
        hash.GetHashAndReset().Should().Equal(PatternHash(Size));
        (await observer.Completed).Error.Should().BeNull();
        observer.Protocols.Should().Equal("h2");
        observer.Events.Should().ContainInOrder("response 200", "became stream", "read closed", "complete StreamTask");
    }

    [Fact]
    public async Task Cancelling_the_stream_task_fails_a_waiting_read_with_Cancelled()
    {
        var observer = new StreamRecorder(server.Certificate);
        var session = Session(observer);
        var stream = await StartAsync(session, observer, server.HttpUrl("/upgrade/echo"));

        var read = stream.ReadDataAsync(1, 10, NoTimeout);
        stream.Cancel();

        (await read.Awaiting(r => r.Within()).Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.Cancelled);
        (await observer.Completed).Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        (await session.GetAllTasksAsync()).Should().BeEmpty();
    }

    private UrlSession Session(StreamRecorder observer)
    {
        var session = TestSessions.Ephemeral(observer);
        _sessions.Add(session);
        return session;
    }

    private static async Task<StreamTask> StartAsync(UrlSession session, StreamRecorder observer, Uri url, bool upgrade = true)
    {
        var request = upgrade
            ? new UrlRequest(url).WithHeader("Connection", "Upgrade").WithHeader("Upgrade", StreamEndpoints.UpgradeToken)
            : new UrlRequest(url);

        session.CreateDataTask(request).Resume();
        return await observer.Stream;
    }

    private static async Task<string> ReadLineAsync(StreamTask stream)
    {
        var line = new StringBuilder();
        while (!line.ToString().EndsWith('\n'))
        {
            var (data, atEnd) = await stream.ReadDataAsync(1, 1, TimeSpan.FromSeconds(20)).Within();
            atEnd.Should().BeFalse();
            line.Append(Encoding.ASCII.GetString(data));
        }

        return line.ToString();
    }

    private static byte[] PatternHash(long size)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = LoopbackEndpoints.Pattern(251 * 256);
        for (long done = 0; done < size; done += block.Length)
        {
            hash.AppendData(block, 0, (int)Math.Min(block.Length, size - done));
        }

        return hash.GetHashAndReset();
    }
}
