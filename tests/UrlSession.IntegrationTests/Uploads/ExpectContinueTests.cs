using Xunit.Abstractions;

namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>Expect: 100-continue (SessionConfiguration.ExpectContinueThreshold) and servers that answer before reading the body.</summary>
public sealed class ExpectContinueTests(LoopbackServer server, ITestOutputHelper output) : IClassFixture<LoopbackServer>
{
    private UrlRequest Post(string path, bool http2 = false) =>
        new UrlRequest(http2 ? server.HttpsUrl(path) : server.HttpUrl(path)) { Method = HttpMethod.Post };

    private UrlSession Session(bool http2, long? threshold) => http2
        ? TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate }, c => c.ExpectContinueThreshold = threshold)
        : TestSessions.Ephemeral(configure: c => c.ExpectContinueThreshold = threshold);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_at_or_over_the_threshold_is_sent_with_Expect_100_continue(bool http2)
    {
        var body = UploadData.Random(300_000, seed: 31);
        await using var session = Session(http2, threshold: 300_000);

        var (data, _) = await session.UploadAsync(Post("/upload/sha256", http2), body).Within();

        var receipt = UploadReceipt.Parse(data);
        receipt.Expect.Should().Be("100-continue");
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
    }

    [Fact]
    public async Task A_body_under_the_threshold_is_sent_without_Expect()
    {
        var body = UploadData.Random(1000, seed: 32);
        await using var session = Session(http2: false, threshold: 1001);

        var (data, _) = await session.UploadAsync(Post("/upload/sha256"), body).Within();

        UploadReceipt.Parse(data).Expect.Should().BeNull();
    }

    [Fact]
    public async Task A_stream_of_unknown_length_counts_as_over_the_threshold()
    {
        var body = UploadData.Random(1000, seed: 33);
        await using var session = Session(http2: false, threshold: 1_000_000);
        var recorder = new RecordingDelegate();
        using var source = new MemoryStream(body);

        var task = session.CreateUploadTask(Post("/upload/sha256") with { Body = RequestBody.FromStream(source) });
        task.Delegate = recorder;
        task.Resume();

        (await recorder.Completed.Within()).Should().BeNull();
        var receipt = UploadReceipt.Parse(recorder.Data);
        receipt.Expect.Should().Be("100-continue");
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Early_413_with_Expect_is_delivered_before_the_body_is_sent(bool http2)
    {
        const int Size = 64 * 1024 * 1024;
        var body = new byte[Size];
        var recorder = new RecordingDelegate();
        await using var session = Session(http2, threshold: 1024);

        var (data, response) = await session.UploadAsync(Post("/upload/early-413", http2), body, recorder).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(413);
        System.Text.Encoding.UTF8.GetString(data).Should().Be("too large");
        var sent = recorder.Sends.Sum(s => s.BytesSent);
        output.WriteLine($"bytes sent before the 413: {sent:N0} of {Size:N0}");
        sent.Should().BeLessThan(Size / 16, "the server refused before asking for the body");
    }

    [Theory]
    [InlineData(false, 1024 * 1024)]
    [InlineData(true, 1024 * 1024)]
    [InlineData(true, 64 * 1024 * 1024)]
    public async Task Early_413_without_Expect_is_delivered_when_the_connection_survives(bool http2, int size)
    {
        // HTTP/2 ends just the stream; Kestrel drains a small unread HTTP/1.1 body and keeps the connection.
        var body = new byte[size];
        var recorder = new RecordingDelegate();
        await using var session = Session(http2, threshold: null);

        var (data, response) = await session.UploadAsync(Post("/upload/early-413", http2), body, recorder).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(413);
        System.Text.Encoding.UTF8.GetString(data).Should().Be("too large");
        output.WriteLine($"http2={http2}: bytes sent before the 413: {recorder.Sends.Sum(s => s.BytesSent):N0} of {size:N0}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_body_sent_event_arrives_after_DidComplete_when_the_server_answers_before_reading_the_body(bool http2)
    {
        // Over HTTP/2 the response can arrive (and the task complete) while the body is still going out.
        var recorder = new RecordingDelegate();
        var session = Session(http2, threshold: null);
        try
        {
            var (_, response) = await session.UploadAsync(Post("/upload/early-413", http2), new byte[64 * 1024 * 1024], recorder).Within();
            ((HttpUrlResponse)response).StatusCode.Should().Be(413);
        }
        finally
        {
            // Invalidation ends every send still running and delivers what was posted before DidBecomeInvalid.
            await session.DisposeAsync().AsTask().Within();
        }

        recorder.CompletionCount.Should().Be(1);
        recorder.SendsAfterCompletion.Should().Be(0);
    }

    [Fact]
    public async Task Early_413_without_Expect_over_HTTP_1_1_is_delivered_when_the_server_closes_the_connection()
    {
        // Kestrel does not drain an unread body over its size limit: it answers 413 and closes the connection while
        // the client is still sending. SocketsHttpHandler reports that as a broken pipe; the session sends again
        // with Expect: 100-continue and delivers the 413.
        const int Size = 64 * 1024 * 1024;
        var probe = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        await using var session = Session(http2: false, threshold: null);

        var (data, response) = await session.UploadAsync(Post($"/upload/early-413?probe={probe}"), new byte[Size], recorder).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(413);
        System.Text.Encoding.UTF8.GetString(data).Should().Be("too large");
        server.Gates.Hits(probe).Should().Be(2, "the first send broke off; the second asked Expect: 100-continue");
        output.WriteLine($"bytes sent in all: {recorder.Sends.Sum(s => s.BytesSent):N0} of {Size:N0}");
        recorder.Sends.Sum(s => s.BytesSent).Should().BeLessThan(Size, "the server never read the body");
    }

    [Fact]
    public async Task Early_413_without_Expect_over_HTTP_1_1_is_delivered_for_a_file_too()
    {
        const int Size = 64 * 1024 * 1024;
        var path = Path.Combine(Path.GetTempPath(), "urlsession-413-" + Guid.NewGuid().ToString("N") + ".bin");
        using (var file = File.Create(path))
        {
            file.SetLength(Size);
        }

        try
        {
            await using var session = Session(http2: false, threshold: null);

            var (_, response) = await session.UploadAsync(Post("/upload/early-413"), path).Within();

            ((HttpUrlResponse)response).StatusCode.Should().Be(413);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Early_413_without_Expect_over_HTTP_1_1_for_a_stream_body_is_a_connection_error()
    {
        // A stream cannot be sent again without the delegate, so the broken connection is the error.
        const int Size = 64 * 1024 * 1024;
        var recorder = new RecordingDelegate();
        await using var session = Session(http2: false, threshold: null);
        using var source = new MemoryStream(new byte[Size]);

        var task = session.CreateUploadTask(Post("/upload/early-413") with { Body = RequestBody.FromStream(source, Size) });
        task.Delegate = recorder;
        task.Resume();

        var error = await recorder.Completed.Within();
        error.Should().NotBeNull();
        error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        recorder.NewBodyStreamRequests.Should().Be(0);
    }
}
