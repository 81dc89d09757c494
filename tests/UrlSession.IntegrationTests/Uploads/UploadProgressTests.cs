namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>DidSendBodyData, CountOfBytesSent / ExpectedToSend and Progress while an upload goes out.</summary>
public sealed class UploadProgressTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    private const int Size = (3 * 1024 * 1024) + 4321;
    private const int MaxPiece = 64 * 1024;

    private UrlSession Session(bool http2) =>
        http2 ? TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate }) : TestSessions.Ephemeral();

    private UrlRequest Post(bool http2) =>
        new UrlRequest(http2 ? server.HttpsUrl("/upload/sha256") : server.HttpUrl("/upload/sha256")) { Method = HttpMethod.Post };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bytes_progress_is_monotonic_adds_up_and_ends_at_the_length(bool http2)
    {
        var body = UploadData.Random(Size, seed: 41);
        var recorder = new RecordingDelegate();
        await using var session = Session(http2);

        var task = session.CreateUploadTask(Post(http2), body);
        (await recorder.RunAsync(task)).Should().BeNull();

        UploadReceipt.Parse(recorder.Data).Sha256.Should().Be(UploadData.Sha256(body));
        AssertProgress(recorder.Sends, Size, expected: Size);
        AssertFinalCounts(task, Size, expected: Size);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task File_progress_is_monotonic_adds_up_and_ends_at_the_length(bool http2)
    {
        var body = UploadData.Random(Size, seed: 42);
        using var file = UploadData.File(body);
        var recorder = new RecordingDelegate();
        await using var session = Session(http2);

        var task = session.CreateUploadTask(Post(http2), file.Path);
        (await recorder.RunAsync(task)).Should().BeNull();

        UploadReceipt.Parse(recorder.Data).Sha256.Should().Be(UploadData.Sha256(body));
        AssertProgress(recorder.Sends, Size, expected: Size);
        AssertFinalCounts(task, Size, expected: Size);
    }

    [Fact]
    public async Task Stream_without_a_length_reports_minus_one_expected()
    {
        var body = UploadData.Random(Size, seed: 43);
        var recorder = new RecordingDelegate();
        await using var session = Session(http2: false);
        using var source = new MemoryStream(body);

        var task = session.CreateUploadTask(Post(false) with { Body = RequestBody.FromStream(source) });
        (await recorder.RunAsync(task)).Should().BeNull();

        UploadReceipt.Parse(recorder.Data).Sha256.Should().Be(UploadData.Sha256(body));
        AssertProgress(recorder.Sends, Size, expected: -1);
        AssertFinalCounts(task, Size, expected: -1);
        task.Progress.FractionCompleted.Should().Be(0, "the total is unknown");
    }

    [Fact]
    public async Task Stream_with_a_length_reports_that_length_expected()
    {
        var body = UploadData.Random(Size, seed: 44);
        var recorder = new RecordingDelegate();
        await using var session = Session(http2: false);
        using var source = new MemoryStream(body);

        var task = session.CreateUploadTask(Post(false) with { Body = RequestBody.FromStream(source, Size) });
        (await recorder.RunAsync(task)).Should().BeNull();

        AssertProgress(recorder.Sends, Size, expected: Size);
        AssertFinalCounts(task, Size, expected: Size);
    }

    [Fact]
    public async Task UploadAsync_task_delegate_receives_the_progress_events()
    {
        var body = UploadData.Random(Size, seed: 45);
        var recorder = new RecordingDelegate();
        await using var session = Session(http2: false);

        var (data, _) = await session.UploadAsync(Post(false), body, recorder).Within();

        UploadReceipt.Parse(data).Sha256.Should().Be(UploadData.Sha256(body));
        AssertProgress(recorder.Sends, Size, expected: Size);
    }

    [Fact]
    public async Task Session_delegate_receives_the_progress_events_when_the_task_has_none()
    {
        var body = UploadData.Random(Size, seed: 46);
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);

        var task = session.CreateUploadTask(Post(false), body);
        task.Resume();
        (await recorder.Completed.Within()).Should().BeNull();

        AssertProgress(recorder.Sends, Size, expected: Size);
        AssertFinalCounts(task, Size, expected: Size);
    }

    private static void AssertProgress(IReadOnlyList<SendEvent> sends, long length, long expected)
    {
        sends.Should().NotBeEmpty();
        long running = 0;
        foreach (var send in sends)
        {
            send.BytesSent.Should().BeInRange(1, MaxPiece);
            running += send.BytesSent;
            send.TotalBytesSent.Should().Be(running, "each total is the running sum of the increments (so totals are monotonic)");
            send.TotalBytesExpectedToSend.Should().Be(expected);
            send.TaskCountOfBytesExpectedToSend.Should().Be(expected, "the task's expected count agrees with the event");
            send.TaskCountOfBytesSent.Should().BeGreaterThanOrEqualTo(send.TotalBytesSent, "the task's count is never behind an event already delivered");
            send.TaskCountOfBytesSent.Should().BeLessThanOrEqualTo(length);
        }

        running.Should().Be(length);
        sends[^1].TotalBytesSent.Should().Be(length);
    }

    private static void AssertFinalCounts(SessionTask task, long length, long expected)
    {
        task.State.Should().Be(SessionTaskState.Completed);
        task.CountOfBytesSent.Should().Be(length);
        task.CountOfBytesExpectedToSend.Should().Be(expected);
        task.Progress.Should().Be(new TransferProgress(length, expected), "an upload task's Progress follows the body sent");
        if (expected > 0)
        {
            task.Progress.FractionCompleted.Should().Be(1);
        }
    }
}
