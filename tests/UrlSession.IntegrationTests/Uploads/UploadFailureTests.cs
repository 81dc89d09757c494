namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>Upload errors, Cancel and Suspend mid-upload (against /upload/slow, which reads only as the test allows).</summary>
public sealed class UploadFailureTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    private static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(400);

    private UrlRequest Post(string path, bool http2 = false) =>
        new UrlRequest(http2 ? server.HttpsUrl(path) : server.HttpUrl(path)) { Method = HttpMethod.Post };

    private UrlSession Session(bool http2) =>
        http2 ? TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate }) : TestSessions.Ephemeral();

    [Fact]
    public async Task Missing_file_fails_with_FileDoesNotExist_and_nothing_reaches_the_server()
    {
        var probe = GateRegistry.NewId();
        var missing = Path.Combine(Path.GetTempPath(), "urlsession-missing-" + Guid.NewGuid().ToString("N") + ".bin");
        await using var session = TestSessions.Ephemeral();
        var recorder = new RecordingDelegate();

        var task = session.CreateUploadTask(Post($"/upload/sha256?probe={probe}"), missing);
        task.Delegate = recorder;
        task.State.Should().Be(SessionTaskState.Suspended, "creating the task checks nothing yet");
        task.Resume();

        var error = await recorder.Completed.Within();
        error.Should().NotBeNull();
        error!.Code.Should().Be(UrlErrorCode.FileDoesNotExist);
        error.Message.Should().Contain(missing);
        recorder.Sends.Should().BeEmpty();
        task.CountOfBytesSent.Should().Be(0);
        server.Gates.Hits(probe).Should().Be(0, "the request is never sent");
    }

    [Fact]
    public async Task Missing_file_through_UploadAsync_throws_FileDoesNotExist()
    {
        var probe = GateRegistry.NewId();
        var missing = Path.Combine(Path.GetTempPath(), "urlsession-missing-" + Guid.NewGuid().ToString("N"));
        await using var session = TestSessions.Ephemeral();

        var error = (await FluentActions.Awaiting(() => session.UploadAsync(Post($"/upload/sha256?probe={probe}"), missing).Within())
            .Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.FileDoesNotExist);
        server.Gates.Hits(probe).Should().Be(0);
    }

    [Fact]
    public async Task A_directory_as_the_body_file_fails_with_FileIsDirectory()
    {
        var probe = GateRegistry.NewId();
        await using var session = TestSessions.Ephemeral();

        var error = (await FluentActions.Awaiting(() => session.UploadAsync(Post($"/upload/sha256?probe={probe}"), Path.GetTempPath()).Within())
            .Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.FileIsDirectory);
        server.Gates.Hits(probe).Should().Be(0);
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(false, 4L * 1024 * 1024)]
    [InlineData(true, null)]
    [InlineData(true, 4L * 1024 * 1024)]
    public async Task A_stream_that_throws_mid_body_fails_the_task_with_that_exception_inside(bool http2, long? length)
    {
        var thrown = new IOException("the disk went away");
        using var source = new FailingStream(UploadData.Random(4 * 1024 * 1024, seed: 51), failAt: 1024 * 1024, thrown);
        var recorder = new RecordingDelegate();
        await using var session = Session(http2);

        var task = session.CreateUploadTask(Post("/upload/sha256", http2) with { Body = RequestBody.FromStream(source, length) });
        task.Delegate = recorder;
        task.Resume();

        var error = await recorder.Completed.Within();
        error.Should().NotBeNull();
        error!.InnerException.Should().BeSameAs(thrown, $"the task failed with {error.Code}: {error.Message}");
        error.Code.Should().Be(UrlErrorCode.Unknown, "the body's source failed, not the connection");
        error.Message.Should().Contain("the disk went away");
        task.Error.Should().BeSameAs(error);
        recorder.CompletionCount.Should().Be(1);
        recorder.Sends.Sum(s => s.BytesSent).Should().Be(1024 * 1024);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(+1)]
    public async Task A_file_that_shrinks_or_grows_while_it_is_sent_fails_with_RequestBodyStreamExhausted(int direction)
    {
        const int Size = 64 * 1024 * 1024;
        var id = GateRegistry.NewId();
        var gate = server.Gates.Upload(id);
        gate.Allow(256 * 1024);
        using var file = UploadData.File(new byte[Size]);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral();

        var task = session.CreateUploadTask(Post($"/upload/slow?id={id}"), file.Path);
        task.Delegate = recorder;
        task.Resume();
        await gate.ReceivedAtLeast(256 * 1024).Within();

        // The client has read at most the few MiB the connection buffers: the change is ahead of it.
        using (var change = new FileStream(file.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            change.SetLength(direction < 0 ? Size / 2 : Size + (1024 * 1024));
        }

        gate.AllowAll();
        var error = await recorder.Completed.Within();

        error.Should().NotBeNull();
        error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        error.Message.Should().Contain(Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await gate.Ended.Within()).Should().BeNull("the server never got a whole body");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancel_mid_upload_completes_with_Cancelled_exactly_once(bool http2)
    {
        const int Size = 32 * 1024 * 1024;
        var id = GateRegistry.NewId();
        var gate = server.Gates.Upload(id);
        gate.Allow(256 * 1024);
        var recorder = new RecordingDelegate();
        await using var session = Session(http2);

        var task = session.CreateUploadTask(Post($"/upload/slow?id={id}", http2), new byte[Size]);
        task.Delegate = recorder;
        task.Resume();
        await gate.ReceivedAtLeast(256 * 1024).Within();
        task.State.Should().Be(SessionTaskState.Running);

        task.Cancel();
        var error = await recorder.Completed.Within();
        await task.Completion.Within();

        error.Should().NotBeNull();
        error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.State.Should().Be(SessionTaskState.Completed);
        recorder.CompletionCount.Should().Be(1);

        // Let the server read on: past what was buffered it finds the body cut off (a blocked HTTP/1.1 reader
        // does not notice the closed connection before that).
        gate.AllowAll();
        (await gate.Ended.Within()).Should().BeNull("the server saw the request aborted, not a complete body");
        gate.Received.Should().BeLessThan(Size);
        task.Cancel();
        recorder.CompletionCount.Should().Be(1, "a second Cancel changes nothing");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Suspend_mid_upload_stops_sending_and_Resume_completes_it(bool http2)
    {
        const int Size = 8 * 1024 * 1024;
        const int SuspendAt = 1024 * 1024;
        var body = UploadData.Random(Size, seed: 52);
        var id = GateRegistry.NewId();
        var gate = server.Gates.Upload(id);
        gate.AllowAll();
        var recorder = new RecordingDelegate();
        await using var session = Session(http2);
        UploadTask? task = null;
        using var source = new SuspendingStream(body, SuspendAt, () => task!.Suspend());

        task = session.CreateUploadTask(Post($"/upload/slow?id={id}", http2) with { Body = RequestBody.FromStream(source, Size) });
        task.Delegate = recorder;
        task.Resume();

        // The stream suspends the task as it hands out the piece that ends at SuspendAt: that piece still goes out.
        await gate.ReceivedAtLeast(SuspendAt).Within();
        task.State.Should().Be(SessionTaskState.Suspended);
        (await gate.ReceivedAtLeast(SuspendAt + 1).StaysQuiet(QuietWindow)).Should().BeTrue("a suspended upload sends nothing more");
        gate.Received.Should().Be(SuspendAt);
        source.Position.Should().Be(SuspendAt, "nothing more was read from the body while suspended");
        task.CountOfBytesSent.Should().Be(SuspendAt);
        recorder.Completed.IsCompleted.Should().BeFalse();

        task.Resume();
        var receipt = await gate.Ended.Within();
        (await recorder.Completed.Within()).Should().BeNull();

        receipt.Should().NotBeNull();
        receipt!.Length.Should().Be(Size);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        UploadReceipt.Parse(recorder.Data).Sha256.Should().Be(receipt.Sha256);
        task.CountOfBytesSent.Should().Be(Size);
    }

    /// <summary>Hands out its bytes and throws once a read would go past <c>failAt</c>.</summary>
    private sealed class FailingStream(byte[] bytes, int failAt, Exception failure) : MemoryStream(bytes, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= failAt)
            {
                throw failure;
            }

            return base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAt - Position)], cancellationToken);
        }
    }

    /// <summary>Calls <c>suspend</c> while handing out the piece that ends at <c>suspendAt</c>.</summary>
    private sealed class SuspendingStream(byte[] bytes, int suspendAt, Action suspend) : MemoryStream(bytes, writable: false)
    {
        private int _suspended;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var limit = Position < suspendAt ? (int)Math.Min(buffer.Length, suspendAt - Position) : buffer.Length;
            var read = await base.ReadAsync(buffer[..limit], cancellationToken);
            if (Position >= suspendAt && Interlocked.Exchange(ref _suspended, 1) == 0)
            {
                suspend();
            }

            return read;
        }
    }
}
