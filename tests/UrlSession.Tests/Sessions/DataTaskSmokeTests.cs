using System.Net;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Sessions;

public sealed class DataTaskSmokeTests
{
    [Fact]
    public async Task DataAsync_returns_the_body_and_the_response()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/hello").Respond(HttpStatusCode.OK, "text/plain", "hello");
        await using var session = TestSessions.Mock(mock);

        var (data, response) = await session.DataAsync(new Uri("http://example.test/hello"));

        System.Text.Encoding.UTF8.GetString(data).Should().Be("hello");
        response.Should().BeOfType<HttpUrlResponse>().Which.StatusCode.Should().Be(200);
        response.MimeType.Should().Be("text/plain");
    }
}
