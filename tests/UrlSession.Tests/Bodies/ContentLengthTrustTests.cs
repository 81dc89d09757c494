using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Bodies;

public sealed class ContentLengthTrustTests
{
    private const long ClaimedLength = 1_500_000_000;

    private static MockHttpMessageHandler LyingServer()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/lie").Respond(_ =>
        {
            var content = new StreamContent(new MemoryStream("tiny"u8.ToArray()));
            content.Headers.ContentLength = ClaimedLength;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        return mock;
    }

    [Fact]
    public async Task DataAsync_does_not_allocate_what_Content_Length_claims_before_the_bytes_arrive()
    {
        await using var session = TestSessions.Mock(LyingServer());
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var (data, response) = await session.DataAsync(new Uri("http://example.test/lie"));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        data.Should().Equal("tiny"u8.ToArray());
        response.ExpectedContentLength.Should().Be(ClaimedLength);
        allocated.Should().BeLessThan(ClaimedLength / 4, "a server's Content-Length must not make the client allocate that much up front");
    }

    [Fact]
    public async Task DataAsync_with_a_data_delegate_does_not_allocate_what_Content_Length_claims()
    {
        await using var session = TestSessions.Mock(LyingServer());
        var taskDelegate = new RecordingDelegate();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var (data, _) = await session.DataAsync(new Uri("http://example.test/lie"), taskDelegate);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        data.Should().Equal("tiny"u8.ToArray());
        taskDelegate.Data.ToArray().Should().Equal(data);
        allocated.Should().BeLessThan(ClaimedLength / 4);
    }
}
