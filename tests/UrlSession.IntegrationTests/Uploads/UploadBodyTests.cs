namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>The three body sources, each checked by the SHA-256 the server computed of what it received.</summary>
public sealed class UploadBodyTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    private const int Size = (1024 * 1024) + 123;

    private UrlSession Session(bool http2, ISessionDelegate? sessionDelegate = null) =>
        http2 ? TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate }) : TestSessions.Ephemeral(sessionDelegate);

    private UrlRequest Post(bool http2, string path = "/upload/sha256") =>
        new UrlRequest(http2 ? server.HttpsUrl(path) : server.HttpUrl(path)) { Method = HttpMethod.Post };

    /// <summary>Uploads <paramref name="body"/> from a stream, stating <paramref name="statedLength"/> when given, to the end.</summary>
    private async Task<(UploadTask Task, RecordingDelegate Recorder, UrlError? Error)> UploadStreamAsync(bool http2, byte[] body, long? statedLength)
    {
        await using var session = Session(http2);
        var recorder = new RecordingDelegate();
        using var source = new MemoryStream(body);
        var task = session.CreateUploadTask(Post(http2) with { Body = RequestBody.FromStream(source, statedLength) });
        return (task, recorder, await recorder.RunAsync(task));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bytes_are_sent_whole_with_a_computed_Content_Length(bool http2)
    {
        var body = UploadData.Random(Size);
        await using var session = Session(http2);

        var (data, response) = await session.UploadAsync(Post(http2), body).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        var receipt = UploadReceipt.Parse(data);
        receipt.Protocol.Should().Be(http2 ? "HTTP/2" : "HTTP/1.1");
        receipt.Method.Should().Be("POST");
        receipt.Length.Should().Be(Size);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        receipt.ContentLength.Should().Be(Size);
        receipt.Chunked.Should().BeFalse();
        receipt.ContentType.Should().Be("application/x-www-form-urlencoded");
        receipt.Expect.Should().BeNull();
    }

    [Fact]
    public async Task Bytes_from_a_slice_of_an_array_send_only_that_slice()
    {
        var whole = UploadData.Random(Size);
        var slice = whole.AsMemory(1000, 50_000);
        await using var session = Session(http2: false);

        var (data, _) = await session.UploadAsync(Post(false).WithHeader("Content-Type", "application/octet-stream"), slice).Within();

        var receipt = UploadReceipt.Parse(data);
        receipt.Length.Should().Be(50_000);
        receipt.Sha256.Should().Be(UploadData.Sha256(slice.Span));
        receipt.ContentType.Should().Be("application/octet-stream");
    }

    [Fact]
    public async Task Bytes_with_a_completion_handler_deliver_the_reply_to_the_handler()
    {
        var body = UploadData.Random(70_000);
        await using var session = Session(http2: false);
        var done = new TaskCompletionSource<(byte[]? Data, UrlResponse? Response, UrlError? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);

        var task = session.CreateUploadTask(Post(false), body, (d, r, e) => done.TrySetResult((d, r, e)));
        task.Resume();
        var (data, response, error) = await done.Task.Within();

        error.Should().BeNull();
        ((HttpUrlResponse)response!).StatusCode.Should().Be(200);
        UploadReceipt.Parse(data!).Sha256.Should().Be(UploadData.Sha256(body));
    }

    [Theory]
    [InlineData(false, ".json", "application/json")]
    [InlineData(false, ".png", "image/png")]
    [InlineData(false, ".txt", "text/plain")]
    [InlineData(false, ".unknown-extension", "application/octet-stream")]
    [InlineData(false, "", "application/octet-stream")]
    [InlineData(true, ".json", "application/json")]
    [InlineData(true, ".unknown-extension", "application/octet-stream")]
    public async Task File_is_sent_with_its_size_and_a_Content_Type_from_its_extension(bool http2, string extension, string expectedType)
    {
        var body = UploadData.Random(Size, seed: 2);
        using var file = UploadData.File(body, extension);
        await using var session = Session(http2);

        var (data, _) = await session.UploadAsync(Post(http2), file.Path).Within();

        var receipt = UploadReceipt.Parse(data);
        receipt.Length.Should().Be(Size);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        receipt.ContentLength.Should().Be(Size);
        receipt.Chunked.Should().BeFalse();
        receipt.ContentType.Should().StartWith(expectedType);
    }

    [Fact]
    public async Task File_keeps_the_callers_Content_Type()
    {
        var body = UploadData.Random(10_000, seed: 3);
        using var file = UploadData.File(body, ".json");
        await using var session = Session(http2: false);

        var (data, _) = await session.UploadAsync(Post(false).WithHeader("Content-Type", "application/vnd.custom+xml"), file.Path).Within();

        var receipt = UploadReceipt.Parse(data);
        receipt.ContentType.Should().Be("application/vnd.custom+xml");
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
    }

    [Fact]
    public async Task File_keeps_a_Content_Type_from_the_sessions_additional_headers()
    {
        var body = UploadData.Random(10_000, seed: 4);
        using var file = UploadData.File(body, ".json");
        await using var session = TestSessions.Ephemeral(configure: c => c.HttpAdditionalHeaders["Content-Type"] = "text/x-session");

        var (data, _) = await session.UploadAsync(Post(false), file.Path).Within();

        UploadReceipt.Parse(data).ContentType.Should().Be("text/x-session");
    }

    [Fact]
    public async Task File_with_a_completion_handler_is_sent_whole()
    {
        var body = UploadData.Random(Size, seed: 5);
        using var file = UploadData.File(body, ".csv");
        await using var session = Session(http2: false);
        var done = new TaskCompletionSource<(byte[]? Data, UrlError? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);

        var task = session.CreateUploadTask(Post(false), file.Path, (d, _, e) => done.TrySetResult((d, e)));
        task.Resume();
        var (data, error) = await done.Task.Within();

        error.Should().BeNull();
        var receipt = UploadReceipt.Parse(data!);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        receipt.ContentType.Should().StartWith("text/csv");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stream_without_a_length_is_sent_chunked(bool http2)
    {
        var body = UploadData.Random(Size, seed: 6);
        var (_, recorder, error) = await UploadStreamAsync(http2, body, statedLength: null);

        error.Should().BeNull();
        var receipt = UploadReceipt.Parse(recorder.Data);
        receipt.Length.Should().Be(Size);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        receipt.ContentLength.Should().BeNull();
        if (!http2)
        {
            receipt.Chunked.Should().BeTrue("HTTP/1.1 frames a body of unknown length with chunked transfer encoding");
        }
        else
        {
            receipt.TransferEncoding.Should().BeNull("HTTP/2 frames bodies itself");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stream_with_a_stated_length_sends_exactly_that_many_bytes(bool http2)
    {
        var body = UploadData.Random(Size, seed: 7);
        var (_, recorder, error) = await UploadStreamAsync(http2, body, statedLength: Size);

        error.Should().BeNull();
        var receipt = UploadReceipt.Parse(recorder.Data);
        receipt.Length.Should().Be(Size);
        receipt.ContentLength.Should().Be(Size);
        receipt.Chunked.Should().BeFalse();
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
    }

    [Theory]
    [InlineData(false, -1)]
    [InlineData(false, +1)]
    [InlineData(false, -100_000)]
    [InlineData(false, +100_000)]
    [InlineData(true, -1)]
    [InlineData(true, +1)]
    public async Task Stream_shorter_or_longer_than_its_stated_length_fails_with_RequestBodyStreamExhausted(bool http2, int difference)
    {
        var body = UploadData.Random(Size + difference, seed: 8);
        var (task, recorder, error) = await UploadStreamAsync(http2, body, statedLength: Size);

        error.Should().NotBeNull();
        error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        error.Message.Should().Contain(Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        task.Error.Should().BeSameAs(error);
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task A_body_on_a_plain_data_task_is_sent_too()
    {
        var body = UploadData.Random(5000, seed: 9);
        await using var session = Session(http2: false);

        var (data, _) = await session.DataAsync(Post(false) with { Body = RequestBody.FromBytes(body) }).Within();

        UploadReceipt.Parse(data).Sha256.Should().Be(UploadData.Sha256(body));
    }
}
