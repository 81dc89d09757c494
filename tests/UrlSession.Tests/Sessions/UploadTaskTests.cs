using System.Net;
using System.Security.Cryptography;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class UploadTaskTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-upload-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task File_upload_sends_the_file_with_its_length_and_a_type_from_its_extension()
    {
        var path = Path.Combine(_folder, "data.json");
        var content = RandomNumberGenerator.GetBytes(150_000);
        await File.WriteAllBytesAsync(path, content);
        var handler = new BodyRecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.Created));
        await using var session = Session(handler);

        var (_, response) = await session.UploadAsync(new UrlRequest(new Uri("http://example.test/files")) { Method = HttpMethod.Put }, path);

        ((HttpUrlResponse)response).StatusCode.Should().Be(201);
        var sent = handler.Requests.Single();
        sent.Body.Should().Equal(content);
        sent.ContentLength.Should().Be(content.Length);
        sent.ContentType.Should().Be("application/json");
    }

    [Fact]
    public async Task Callers_content_type_wins_over_the_file_extension()
    {
        var path = Path.Combine(_folder, "photo.png");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        var handler = new BodyRecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = Session(handler);

        await session.UploadAsync(new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post }.WithHeader("Content-Type", "image/x-custom"), path);

        handler.Requests.Single().ContentType.Should().Be("image/x-custom");
    }

    [Fact]
    public async Task Unknown_extension_falls_back_to_octet_stream()
    {
        var path = Path.Combine(_folder, "blob.weird");
        await File.WriteAllBytesAsync(path, [1]);
        var handler = new BodyRecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = Session(handler);

        await session.UploadAsync(new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post }, path);

        handler.Requests.Single().ContentType.Should().Be("application/octet-stream");
    }

    [Fact]
    public async Task Completion_handler_upload_gets_the_response_body_and_is_an_UploadTask()
    {
        var handler = new BodyRecordingHandler(r => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(SHA256.HashData(r.Body!)) });
        await using var session = Session(handler);
        var body = RandomNumberGenerator.GetBytes(1000);
        var result = new TaskCompletionSource<(byte[]? Data, UrlError? Error)>();

        var task = session.CreateUploadTask(new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post }, body, (data, _, error) => result.SetResult((data, error)));
        task.Resume();
        var (data, error) = await result.Task;

        task.Should().BeAssignableTo<DataTask>();
        error.Should().BeNull();
        data.Should().Equal(SHA256.HashData(body));
        task.CountOfBytesSent.Should().Be(body.Length);
        task.CountOfBytesExpectedToSend.Should().Be(body.Length);
        task.Progress.Should().Be(new TransferProgress(body.Length, body.Length), "an upload task's progress follows the body it sends");
    }

    [Fact]
    public async Task File_body_is_sent_again_on_307_without_asking_the_delegate()
    {
        var path = Path.Combine(_folder, "again.bin");
        var content = RandomNumberGenerator.GetBytes(70_000);
        await File.WriteAllBytesAsync(path, content);
        var handler = new BodyRecordingHandler(r => r.Url.AbsolutePath == "/first"
            ? new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = new Uri("/second", UriKind.Relative) } }
            : new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = Session(handler);
        var streams = new StreamSupplier(null);

        await session.UploadAsync(new UrlRequest(new Uri("http://example.test/first")) { Method = HttpMethod.Post }, path, streams);

        handler.Requests.Select(r => r.Url.AbsolutePath).Should().Equal("/first", "/second");
        handler.Requests.Should().AllSatisfy(r => r.Body.Should().Equal(content));
        streams.Asked.Should().Be(0);
    }

    [Fact]
    public async Task Stream_body_on_307_asks_the_delegate_for_a_new_stream()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        var handler = new BodyRecordingHandler(r => r.Url.AbsolutePath == "/first"
            ? new HttpResponseMessage((HttpStatusCode)308) { Headers = { Location = new Uri("/second", UriKind.Relative) } }
            : new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = Session(handler);
        var streams = new StreamSupplier(() => new MemoryStream(content));
        var request = new UrlRequest(new Uri("http://example.test/first")) { Method = HttpMethod.Post, Body = RequestBody.FromStream(new MemoryStream(content)) };

        var task = session.CreateUploadTask(request);
        task.Delegate = streams;
        task.Resume();
        await task.Completion;

        task.Error.Should().BeNull();
        streams.Asked.Should().Be(1);
        handler.Requests.Should().HaveCount(2).And.AllSatisfy(r => r.Body.Should().Equal(content));
    }

    [Fact]
    public async Task Stream_body_on_307_fails_clearly_when_the_delegate_gives_no_new_stream()
    {
        var handler = new BodyRecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = new Uri("/next", UriKind.Relative) } });
        await using var session = Session(handler);
        var request = new UrlRequest(new Uri("http://example.test/first")) { Method = HttpMethod.Post, Body = RequestBody.FromStream(new MemoryStream([1, 2, 3])) };

        var task = session.CreateUploadTask(request);
        task.Delegate = new StreamSupplier(null);
        task.Resume();
        await task.Completion;

        task.Error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        task.Error.Message.Should().Contain("NeedNewBodyStreamAsync");
        handler.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_body_longer_than_its_stated_length_fails_before_the_last_stated_byte_goes_out()
    {
        // A server that has Content-Length bytes takes the request as whole, so the overrun must be found first.
        var wire = new MemoryStream();
        var handler = new WireCopyingHandler(wire);
        await using var session = Session(handler);
        var request = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Put, Body = RequestBody.FromStream(new MemoryStream(new byte[64 * 1024 + 1]), 64 * 1024) };

        var task = session.CreateUploadTask(request);
        task.Resume();
        await task.Completion;

        task.Error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        task.Error.Message.Should().Contain((64 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        wire.Length.Should().BeLessThan(64 * 1024);
        task.CountOfBytesSent.Should().BeLessThan(64 * 1024);
    }

    [Fact]
    public async Task Stream_body_must_keep_a_Content_Length_the_caller_set()
    {
        var handler = new BodyRecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.OK));
        await using var session = Session(handler);
        var request = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Put, Body = RequestBody.FromStream(new MemoryStream(new byte[10])) }
            .WithHeader("Content-Length", "12");

        var task = session.CreateUploadTask(request);
        task.Resume();
        await task.Completion;

        task.Error!.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        task.Error.Message.Should().Contain("12");
    }

    [Fact]
    public async Task Streamed_request_without_a_body_is_refused_at_creation()
    {
        await using var session = Session(new BodyRecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)));

        var act = () => session.CreateUploadTask(new UrlRequest(new Uri("http://example.test/")));

        act.Should().Throw<ArgumentException>().WithMessage("*Body*");
    }

    private static UrlSession Session(HttpMessageHandler handler)
    {
        return TestSessions.Mock(handler);
    }

    private sealed class StreamSupplier(Func<Stream>? create) : ISessionTaskDelegate
    {
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public ValueTask<Stream?> NeedNewBodyStreamAsync(UrlSession session, SessionTask task)
        {
            Interlocked.Increment(ref _asked);
            return ValueTask.FromResult(create?.Invoke());
        }
    }

    /// <summary>Copies the request body to a stream the way a connection would, keeping what got out before a failure.</summary>
    private sealed class WireCopyingHandler(Stream wire) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await request.Content!.CopyToAsync(wire, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
