using System.Security.Cryptography;
using System.Text;

namespace UrlSessions.IntegrationTests.Transport;

public sealed class RequestBodyTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task A_file_body_is_sent_with_a_content_type_from_its_extension()
    {
        var path = Path.Combine(Path.GetTempPath(), $"urlsession-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, "{\"a\":1}");
        try
        {
            await using var session = TestSessions.Ephemeral();
            var request = new UrlRequest(server.HttpUrl("/echo")) { Method = HttpMethod.Put, Body = RequestBody.FromFile(path) };

            var (data, _) = await session.DataAsync(request).Within();

            var echo = EchoResult.Parse(data);
            echo.Method.Should().Be("PUT");
            echo.BodyText.Should().Be("{\"a\":1}");
            echo.Header("Content-Type").Should().Be("application/json");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_stream_body_is_sent_once()
    {
        await using var session = TestSessions.Ephemeral();
        var bytes = LoopbackEndpoints.Pattern(123_456);
        var request = new UrlRequest(server.HttpUrl("/echo")) { Method = HttpMethod.Post, Body = RequestBody.FromStream(new MemoryStream(bytes), bytes.Length) };

        var (data, _) = await session.DataAsync(request).Within();

        var echo = EchoResult.Parse(data);
        echo.BodyLength.Should().Be(bytes.Length);
        echo.BodySha256.Should().Be(Convert.ToHexString(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task A_307_with_a_stream_body_and_no_new_stream_fails_with_RequestBodyStreamExhausted()
    {
        await using var session = TestSessions.Ephemeral();
        var request = new UrlRequest(server.HttpUrl("/redirect/307?to=%2Fecho"))
        {
            Method = HttpMethod.Post,
            Body = RequestBody.FromStream(new MemoryStream("streamed"u8.ToArray())),
        };

        var error = (await FluentActions.Awaiting(() => session.DataAsync(request).Within()).Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
    }

    [Fact]
    public async Task A_307_with_a_stream_body_asks_the_delegate_for_a_new_stream()
    {
        var provider = new NewStreamDelegate();
        await using var session = TestSessions.Ephemeral();
        var request = new UrlRequest(server.HttpUrl("/redirect/307?to=%2Fecho"))
        {
            Method = HttpMethod.Post,
            Body = RequestBody.FromStream(new MemoryStream("streamed"u8.ToArray())),
        };

        var (data, _) = await session.DataAsync(request, provider).Within();

        EchoResult.Parse(data).BodyText.Should().Be("again");
        provider.Calls.Should().Be(1);
    }

    [Fact]
    public async Task The_redirect_delegate_can_change_the_request()
    {
        var changer = new ChangingRedirects();
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.DataAsync(server.HttpUrl("/redirect/302?to=%2Fhello"), changer).Within();

        response.Url.AbsolutePath.Should().Be("/echo");
        EchoResult.Parse(data).Header("X-Changed").Should().Be("yes");
    }

    [Fact]
    public async Task Bytes_sent_and_expected_to_receive_are_counted()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);
        var task = session.CreateDataTask(server.HttpUrl("/bytes/4321"));
        task.Resume();

        await task.Completion.Within();

        task.CountOfBytesExpectedToReceive.Should().Be(4321);
        task.CountOfBytesReceived.Should().Be(4321);
        task.Progress.FractionCompleted.Should().Be(1.0);
        recorder.DataLength.Should().Be(4321);
    }

    private sealed class NewStreamDelegate : ISessionTaskDelegate
    {
        public int Calls { get; private set; }

        public ValueTask<Stream?> NeedNewBodyStreamAsync(UrlSession session, SessionTask task)
        {
            Calls++;
            return ValueTask.FromResult<Stream?>(new MemoryStream("again"u8.ToArray()));
        }
    }

    private sealed class ChangingRedirects : ISessionTaskDelegate
    {
        public ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest) =>
            ValueTask.FromResult<UrlRequest?>((newRequest with { Url = new Uri(newRequest.Url, "/echo") }).WithHeader("X-Changed", "yes"));
    }
}
