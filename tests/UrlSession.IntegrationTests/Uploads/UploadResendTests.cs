namespace UrlSessions.IntegrationTests.Uploads;

/// <summary>Re-sends: 307/308 redirects and 401 retries send bytes and files again; a stream body asks for a new stream.</summary>
public sealed class UploadResendTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    private const int Size = (512 * 1024) + 7;

    private UrlRequest Post(string path) => new UrlRequest(server.HttpUrl(path)) { Method = HttpMethod.Post };

    [Theory]
    [InlineData(307, false)]
    [InlineData(308, false)]
    [InlineData(307, true)]
    [InlineData(308, true)]
    public async Task Redirect_re_sends_bytes_whole(int code, bool http2)
    {
        var probe = GateRegistry.NewId();
        var body = UploadData.Random(Size, seed: code);
        var recorder = new RecordingDelegate();
        await using var session = http2 ? TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate }) : TestSessions.Ephemeral();
        var url = http2 ? server.HttpsUrl($"/upload/redirect/{code}?probe={probe}") : server.HttpUrl($"/upload/redirect/{code}?probe={probe}");

        var (data, response) = await session.UploadAsync(new UrlRequest(url) { Method = HttpMethod.Put }, body, recorder).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        response.Url.AbsolutePath.Should().Be("/upload/sha256");
        var receipt = UploadReceipt.Parse(data);
        receipt.Method.Should().Be("PUT", "307 and 308 keep the method");
        receipt.Length.Should().Be(Size);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        server.Gates.Hits(probe).Should().Be(2, "the redirect and its target each received the body");
        recorder.Sends.Sum(s => s.BytesSent).Should().Be(2L * Size, "a re-send restarts the totals and sends the body whole again");
        recorder.Sends[^1].TotalBytesSent.Should().Be(Size);
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_re_sends_a_file_whole(int code)
    {
        var probe = GateRegistry.NewId();
        var body = UploadData.Random(Size, seed: code + 1);
        using var file = UploadData.File(body, ".json");
        await using var session = TestSessions.Ephemeral();

        var (data, _) = await session.UploadAsync(Post($"/upload/redirect/{code}?probe={probe}"), file.Path).Within();

        var receipt = UploadReceipt.Parse(data);
        receipt.Length.Should().Be(Size);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        receipt.ContentType.Should().StartWith("application/json");
        server.Gates.Hits(probe).Should().Be(2);
    }

    [Theory]
    [InlineData(307, true)]
    [InlineData(308, true)]
    [InlineData(307, false)]
    public async Task Redirect_of_a_stream_body_asks_for_a_new_stream(int code, bool withLength)
    {
        var probe = GateRegistry.NewId();
        var body = UploadData.Random(Size, seed: 11);
        var recorder = new RecordingDelegate();
        var handedOut = new List<MemoryStream>();
        recorder.NewBodyStream = () =>
        {
            var fresh = new MemoryStream(body);
            handedOut.Add(fresh);
            return fresh;
        };
        await using var session = TestSessions.Ephemeral();
        using var first = new MemoryStream(body);

        var task = session.CreateUploadTask(Post($"/upload/redirect/{code}?probe={probe}") with { Body = RequestBody.FromStream(first, withLength ? Size : null) });
        task.Delegate = recorder;
        task.Resume();

        (await recorder.Completed.Within()).Should().BeNull();
        var receipt = UploadReceipt.Parse(recorder.Data);
        receipt.Length.Should().Be(Size);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        recorder.NewBodyStreamRequests.Should().Be(1);
        server.Gates.Hits(probe).Should().Be(2);
        handedOut.Should().ContainSingle().Which.Position.Should().Be(Size, "the new stream was read to its end");
        first.Position.Should().Be(Size);
    }

    [Fact]
    public async Task Redirect_of_a_stream_body_without_a_new_stream_fails_with_RequestBodyStreamExhausted()
    {
        var probe = GateRegistry.NewId();
        var recorder = new RecordingDelegate { NewBodyStream = () => null };
        await using var session = TestSessions.Ephemeral();
        using var first = new MemoryStream(UploadData.Random(Size));

        var task = session.CreateUploadTask(Post($"/upload/redirect/307?probe={probe}") with { Body = RequestBody.FromStream(first, Size) });
        task.Delegate = recorder;
        task.Resume();

        var error = await recorder.Completed.Within();
        error.Should().NotBeNull();
        error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        recorder.NewBodyStreamRequests.Should().Be(1);
        server.Gates.Hits(probe).Should().Be(1, "the redirect target was never asked");
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Redirect_of_a_stream_body_without_a_NeedNewBodyStream_delegate_fails_with_RequestBodyStreamExhausted()
    {
        await using var session = TestSessions.Ephemeral();
        using var first = new MemoryStream(UploadData.Random(1000));
        var done = new TaskCompletionSource<UrlError?>(TaskCreationOptions.RunContinuationsAsynchronously);

        var task = session.CreateUploadTask(Post("/upload/redirect/308") with { Body = RequestBody.FromStream(first) });
        task.Resume();
        await task.Completion.Within();

        task.Error.Should().NotBeNull();
        task.Error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
    }

    [Fact]
    public async Task Redirect_of_a_stream_body_when_the_delegate_throws_fails_with_that_exception_inside()
    {
        var thrown = new InvalidOperationException("the log file is gone");
        var recorder = new RecordingDelegate { NewBodyStream = () => throw thrown };
        await using var session = TestSessions.Ephemeral();
        using var first = new MemoryStream(UploadData.Random(1000));

        var task = session.CreateUploadTask(Post("/upload/redirect/307") with { Body = RequestBody.FromStream(first) });
        task.Delegate = recorder;
        task.Resume();

        var error = await recorder.Completed.Within();
        error.Should().NotBeNull();
        error!.Code.Should().Be(UrlErrorCode.Unknown);
        InnerChain(error).Should().Contain(thrown);
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Unauthorized_then_credentials_re_sends_bytes()
    {
        var probe = GateRegistry.NewId();
        var body = UploadData.Random(Size, seed: 21);
        var recorder = new RecordingDelegate { Credential = UrlCredential.ForUser(UploadEndpoints.User, UploadEndpoints.Password, CredentialPersistence.None) };
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.UploadAsync(Post($"/upload/early-401?probe={probe}"), body, recorder).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        UploadReceipt.Parse(data).Sha256.Should().Be(UploadData.Sha256(body));
        recorder.Challenges.Should().Be(1);
        server.Gates.Hits(probe).Should().Be(2);
    }

    [Fact]
    public async Task Unauthorized_then_credentials_re_sends_bytes_over_HTTP_2()
    {
        var body = UploadData.Random(Size, seed: 24);
        var recorder = new RecordingDelegate { Credential = UrlCredential.ForUser(UploadEndpoints.User, UploadEndpoints.Password, CredentialPersistence.None) };
        await using var session = TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate });

        var (data, _) = await session.UploadAsync(new UrlRequest(server.HttpsUrl("/upload/early-401")) { Method = HttpMethod.Post }, body, recorder).Within();

        var receipt = UploadReceipt.Parse(data);
        receipt.Protocol.Should().Be("HTTP/2");
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        recorder.Challenges.Should().Be(1);
    }

    [Fact]
    public async Task Unauthorized_then_credentials_re_sends_a_large_body_the_server_refused_unread()
    {
        // 64 MiB is over Kestrel's default limit for draining an unread body: the 401 comes with a closed connection.
        const int Large = 64 * 1024 * 1024;
        var body = UploadData.Random(Large, seed: 25);
        var recorder = new RecordingDelegate { Credential = UrlCredential.ForUser(UploadEndpoints.User, UploadEndpoints.Password, CredentialPersistence.None) };
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.UploadAsync(Post("/upload/early-401"), body, recorder).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        var receipt = UploadReceipt.Parse(data);
        receipt.Length.Should().Be(Large);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        recorder.Challenges.Should().Be(1);
    }

    [Fact]
    public async Task Unauthorized_then_credentials_re_sends_a_file()
    {
        var body = UploadData.Random(Size, seed: 22);
        using var file = UploadData.File(body, ".txt");
        var recorder = new RecordingDelegate { Credential = UrlCredential.ForUser(UploadEndpoints.User, UploadEndpoints.Password, CredentialPersistence.None) };
        await using var session = TestSessions.Ephemeral();

        var (data, _) = await session.UploadAsync(Post("/upload/early-401"), file.Path, recorder).Within();

        var receipt = UploadReceipt.Parse(data);
        receipt.Sha256.Should().Be(UploadData.Sha256(body));
        receipt.ContentType.Should().StartWith("text/plain");
        recorder.Challenges.Should().Be(1);
    }

    [Fact]
    public async Task Unauthorized_then_credentials_asks_for_a_new_body_stream()
    {
        var body = UploadData.Random(Size, seed: 23);
        var recorder = new RecordingDelegate
        {
            Credential = UrlCredential.ForUser(UploadEndpoints.User, UploadEndpoints.Password, CredentialPersistence.None),
            NewBodyStream = () => new MemoryStream(body),
        };
        await using var session = TestSessions.Ephemeral();
        using var first = new MemoryStream(body);

        var task = session.CreateUploadTask(Post("/upload/early-401") with { Body = RequestBody.FromStream(first) });
        task.Delegate = recorder;
        task.Resume();

        (await recorder.Completed.Within()).Should().BeNull();
        UploadReceipt.Parse(recorder.Data).Sha256.Should().Be(UploadData.Sha256(body));
        recorder.Challenges.Should().Be(1);
        recorder.NewBodyStreamRequests.Should().Be(1);
    }

    [Fact]
    public async Task Unauthorized_without_credentials_delivers_the_401()
    {
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.UploadAsync(Post("/upload/early-401"), UploadData.Random(Size)).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(401);
        System.Text.Encoding.UTF8.GetString(data).Should().Be("who are you?");
    }

    internal static IEnumerable<Exception> InnerChain(Exception error)
    {
        for (var current = error.InnerException; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
