using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Bodies;

public sealed class CollectedBodyTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(1024 * 1024, true)]
    [InlineData((3 * 1024 * 1024) + 5, true)]
    [InlineData((3 * 1024 * 1024) + 5, false)]
    [InlineData(16 * 1024, false)]
    public async Task DataAsync_returns_the_whole_body_with_and_without_a_length(int length, bool withLength)
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/body").Respond(_ =>
        {
            var content = new StreamContent(new GeneratedStream(length));
            content.Headers.ContentLength = withLength ? length : null;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        await using var session = TestSessions.Mock(mock);

        var (data, response) = await session.DataAsync(new Uri("http://example.test/body"));

        data.Length.Should().Be(length);
        GeneratedStream.Matches(data, 0).Should().BeTrue();
        response.ExpectedContentLength.Should().Be(withLength ? length : -1);
    }

    [Fact]
    public async Task A_body_shorter_than_its_Content_Length_is_returned_as_received()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/short").Respond(_ =>
        {
            var content = new StreamContent(new GeneratedStream(100));
            content.Headers.ContentLength = 5000;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        await using var session = TestSessions.Mock(mock);

        var (data, _) = await session.DataAsync(new Uri("http://example.test/short"));

        data.Length.Should().Be(100);
    }
}
