using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class BytesAsyncFailureTests
{
    private static readonly Uri Url = new("http://example.test/slow");

    [Fact]
    public async Task Cancelling_the_token_while_reading_makes_the_read_throw_Cancelled()
    {
        var mock = new MockHttpMessageHandler();
        var gated = new GatedStream();
        mock.When(Url.ToString()).Respond(_ => gated.Response());
        await using var session = TestSessions.Mock(mock);
        using var cancellation = new CancellationTokenSource();

        var (_, body) = await session.BytesAsync(Url, cancellationToken: cancellation.Token);
        await using (body)
        {
            await gated.WaitForBlockedReadAsync(1);
            await cancellation.CancelAsync();
            var read = async () => await body.ReadAsync(new byte[10]);

            (await read.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.Cancelled);
        }
    }

    [Fact]
    public async Task A_timeout_while_reading_makes_the_read_throw_TimedOut()
    {
        var time = new FakeTimeProvider();
        var mock = new MockHttpMessageHandler();
        var gated = new GatedStream();
        mock.When(Url.ToString()).Respond(_ => gated.Response());
        var configuration = TestSessions.Configuration(mock, time);
        configuration.TimeoutIntervalForRequest = TimeSpan.FromSeconds(5);
        await using var session = new UrlSession(configuration);

        var (_, body) = await session.BytesAsync(Url);
        await using (body)
        {
            await gated.WaitForBlockedReadAsync(1);
            time.Advance(TimeSpan.FromSeconds(5));
            var read = async () => await body.ReadAsync(new byte[10]);

            (await read.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.TimedOut);
        }
    }

    [Fact]
    public async Task DataAsync_with_an_already_cancelled_token_throws_Cancelled_and_sends_nothing()
    {
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond("text/plain", "x");
        await using var session = TestSessions.Mock(mock);

        var load = () => session.DataAsync(Url, cancellationToken: new CancellationToken(canceled: true));

        (await load.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.Cancelled);
        mock.GetMatchCount(sent).Should().Be(0);
    }
}
