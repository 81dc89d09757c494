using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Engine.Exchange;

public sealed class ConnectivityRetryStageTests
{
    [Fact]
    public async Task An_unreachable_host_is_tried_again_after_1_then_2_seconds_with_the_idle_timeout_paused_meanwhile()
    {
        var time = new TimerCountingTimeProvider();
        var next = new ScriptedStage((_, n) => n <= 2 ? throw new HttpRequestException(HttpRequestError.ConnectionError, "refused") : new HttpResponseMessage(HttpStatusCode.OK));
        var stage = next.Behind(new ConnectivityRetryStage(time, NullLogger.Instance));
        var host = new FakeExchangeHost();

        var sent = stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")), host)).AsTask();
        await time.TimersCreated(1);
        time.Advance(TimeSpan.FromMilliseconds(999));
        next.Sends.Should().HaveCount(1, "the first pause is one second");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await time.TimersCreated(2);
        time.Advance(TimeSpan.FromMilliseconds(1999));
        next.Sends.Should().HaveCount(2, "the second pause is two seconds");
        time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await sent;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        next.Sends.Should().HaveCount(3);
        host.Events.Should().Equal("waiting for connectivity", "pause idle", "continue idle", "pause idle", "continue idle");
    }

    [Fact]
    public async Task Other_failures_a_broken_body_write_and_stream_bodies_are_not_retried()
    {
        var time = new TimerCountingTimeProvider();
        var protocol = new ScriptedStage((_, _) => throw new HttpRequestException(HttpRequestError.InvalidResponse, "bad"));
        var brokenWrite = new ScriptedStage((c, _) =>
        {
            c.BodyWriteFailed = true;
            throw new HttpRequestException(HttpRequestError.ConnectionError, "reset");
        });
        var streamed = new ScriptedStage((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        var get = new UrlRequest(new Uri("http://example.test/"));
        var post = get with { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[3]) };
        var streamPost = get with { Method = HttpMethod.Post, Body = RequestBody.FromStream(new MemoryStream(new byte[3])) };

        var a = async () => await protocol.Behind(new ConnectivityRetryStage(time, NullLogger.Instance)).SendAsync(FakeExchangeHost.Context(get));
        var b = async () => await brokenWrite.Behind(new ConnectivityRetryStage(time, NullLogger.Instance)).SendAsync(FakeExchangeHost.Context(post));
        var c = async () => await streamed.Behind(new ConnectivityRetryStage(time, NullLogger.Instance)).SendAsync(FakeExchangeHost.Context(streamPost));

        await a.Should().ThrowAsync<HttpRequestException>();
        await b.Should().ThrowAsync<HttpRequestException>();
        await c.Should().ThrowAsync<HttpRequestException>();
        (protocol.Sends.Count + brokenWrite.Sends.Count + streamed.Sends.Count).Should().Be(3);
    }

    [Fact]
    public async Task Cancellation_during_the_pause_ends_the_wait()
    {
        var time = new TimerCountingTimeProvider();
        using var cancellation = new CancellationTokenSource();
        var next = new ScriptedStage((_, _) => throw new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"));
        var stage = next.Behind(new ConnectivityRetryStage(time, NullLogger.Instance));

        var sent = stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")), cancellation: cancellation.Token)).AsTask();
        await time.TimersCreated(1);
        await cancellation.CancelAsync();

        await sent.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        next.Sends.Should().ContainSingle();
    }
}
