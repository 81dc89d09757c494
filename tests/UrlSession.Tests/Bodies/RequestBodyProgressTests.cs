using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Bodies;

public sealed class RequestBodyProgressTests
{
    [Fact]
    public async Task Bytes_body_is_sent_whole_with_monotonic_progress_ending_at_its_length()
    {
        var body = RandomNumberGenerator.GetBytes(300_000);
        var (session, received) = SessionEchoingBodies();
        await using var _ = session;
        var progress = new RecordingDelegate();

        var request = new UrlRequest(new Uri("http://example.test/upload")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(body) };
        var (data, response) = await session.DataAsync(request, progress);

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        received.Single().Should().Equal(body);
        data.Should().Equal(SHA256.HashData(body));
        progress.Sends.Select(s => s.TotalBytesSent).Should().BeInAscendingOrder().And.HaveCountGreaterThan(1);
        progress.Sends[^1].TotalBytesSent.Should().Be(body.Length);
        progress.Sends.Sum(s => s.BytesSent).Should().Be(body.Length);
        progress.Sends.Select(s => s.TotalBytesExpectedToSend).Should().AllSatisfy(e => e.Should().Be(body.Length));
    }

    [Fact]
    public async Task Body_without_Content_Type_is_sent_as_form_urlencoded_and_the_callers_type_wins()
    {
        var types = new ConcurrentQueue<string?>();
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(request =>
        {
            types.Enqueue(request.Content?.Headers.ContentType?.ToString());
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        });
        await using var session = Session(mock);

        var request = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes("a=1"u8.ToArray()) };
        await session.DataAsync(request);
        await session.DataAsync(request.WithHeader("Content-Type", "application/json"));

        types.Should().Equal("application/x-www-form-urlencoded", "application/json");
    }

    [Theory]
    [InlineData(10, 12)]
    [InlineData(12, 10)]
    public async Task Stream_body_that_breaks_its_stated_length_fails_the_task(int actual, long stated)
    {
        var (session, _) = SessionEchoingBodies();
        await using var _session = session;
        var request = new UrlRequest(new Uri("http://example.test/upload"))
        {
            Method = HttpMethod.Put,
            Body = RequestBody.FromStream(new MemoryStream(new byte[actual]), stated),
        };

        var act = () => session.DataAsync(request);

        var error = (await act.Should().ThrowAsync<UrlError>()).Which;
        error.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted, error.ToString());
        error.Message.Should().Contain(stated.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Missing_body_file_fails_the_task_with_FileDoesNotExist_before_sending()
    {
        var (session, received) = SessionEchoingBodies();
        await using var _ = session;
        var request = new UrlRequest(new Uri("http://example.test/upload"))
        {
            Method = HttpMethod.Post,
            Body = RequestBody.FromFile(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing.bin")),
        };

        var act = () => session.DataAsync(request);

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.FileDoesNotExist);
        received.Should().BeEmpty();
    }

    private static (UrlSession Session, ConcurrentQueue<byte[]> Received) SessionEchoingBodies()
    {
        // Not MockHttp: its async Respond never completes when the content throws, and these tests need that failure.
        var handler = new BodyHashingHandler();
        return (TestSessions.Mock(handler), handler.Received);
    }

    private sealed class BodyHashingHandler : HttpMessageHandler
    {
        public ConcurrentQueue<byte[]> Received { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var bytes = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            Received.Enqueue(bytes);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(SHA256.HashData(bytes)) };
        }
    }

    private static UrlSession Session(MockHttpMessageHandler mock)
    {
        return TestSessions.Mock(mock);
    }
}
