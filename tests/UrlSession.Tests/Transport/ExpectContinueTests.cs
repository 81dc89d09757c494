using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Transport;

public sealed class ExpectContinueTests
{
    [Theory]
    [InlineData(null, 10_000, false)]
    [InlineData(4096L, 10_000, true)]
    [InlineData(4096L, 100, false)]
    [InlineData(0L, 1, true)]
    public async Task Bodies_at_or_above_the_threshold_ask_for_100_continue(long? threshold, int bodyLength, bool expected)
    {
        var seen = new ConcurrentQueue<bool?>();
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(request =>
        {
            seen.Enqueue(request.Headers.ExpectContinue);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        await using var session = TestSessions.Mock(mock, configure: c => c.ExpectContinueThreshold = threshold);

        await session.UploadAsync(new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Post }, new byte[bodyLength]);

        (seen.Single() == true).Should().Be(expected);
    }

    [Fact]
    public void Negative_threshold_is_refused_with_its_value()
    {
        var act = () => SessionConfiguration.Ephemeral.ExpectContinueThreshold = -1;

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ExpectContinueThreshold*");
    }
}
