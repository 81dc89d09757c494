using System.Net;

namespace UrlSessions.Tests.Engine.Exchange;

public sealed class ExpectContinueStageTests
{
    private static HttpResponseMessage FailWritingBody(ExchangeContext context)
    {
        context.BodyWriteFailed = true;
        throw new HttpRequestException(HttpRequestError.Unknown, "the server closed the connection");
    }

    [Fact]
    public async Task A_body_whose_write_broke_is_sent_once_more_asking_100_continue()
    {
        var next = new ScriptedStage((c, n) => n == 1 ? FailWritingBody(c) : new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge));
        var stage = next.Behind(new ExpectContinueStage(SessionSettings.From(SessionConfiguration.Ephemeral), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        var request = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[1000]) };

        using var response = await stage.SendAsync(FakeExchangeHost.Context(request));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        next.Sends.Select(s => s.ExpectContinue).Should().Equal(false, true);
    }

    [Fact]
    public async Task A_stream_body_or_a_failure_not_in_writing_is_not_sent_again()
    {
        var streamed = new ScriptedStage((c, _) => FailWritingBody(c));
        var notWriting = new ScriptedStage((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        var streamRequest = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post, Body = RequestBody.FromStream(new MemoryStream(new byte[10])) };
        var bytesRequest = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[10]) };

        var first = async () => await streamed.Behind(new ExpectContinueStage(SessionSettings.From(SessionConfiguration.Ephemeral), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)).SendAsync(FakeExchangeHost.Context(streamRequest));
        var second = async () => await notWriting.Behind(new ExpectContinueStage(SessionSettings.From(SessionConfiguration.Ephemeral), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)).SendAsync(FakeExchangeHost.Context(bytesRequest));

        await first.Should().ThrowAsync<HttpRequestException>();
        await second.Should().ThrowAsync<HttpRequestException>();
        streamed.Sends.Should().ContainSingle();
        notWriting.Sends.Should().ContainSingle();
    }

    [Fact]
    public async Task A_body_at_the_threshold_asks_100_continue_from_the_start_and_one_without_body_never()
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.ExpectContinueThreshold = 100;
        var next = ScriptedStage.Always(HttpStatusCode.OK);
        var stage = next.Behind(new ExpectContinueStage(SessionSettings.From(configuration), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

        using (await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[100]) })))
        {
        }

        using (await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[99]) })))
        {
        }

        using (await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")))))
        {
        }

        next.Sends.Select(s => s.ExpectContinue).Should().Equal(true, false, false);
    }
}
