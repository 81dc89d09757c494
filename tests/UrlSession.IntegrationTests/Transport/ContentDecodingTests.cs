using System.Text;

namespace UrlSessions.IntegrationTests.Transport;

/// <summary>The session decodes gzip, deflate (zlib) and br itself and keeps the coding visible in the response headers.</summary>
public sealed class ContentDecodingTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Theory]
    [InlineData("/gzip", "gzip")]
    [InlineData("/deflate", "deflate")]
    [InlineData("/br", "br")]
    public async Task Coded_bodies_are_decoded_and_the_coding_stays_in_the_headers(string path, string coding)
    {
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.DataAsync(server.HttpUrl(path));

        Encoding.UTF8.GetString(data).Should().Be(LoopbackEndpoints.CompressedText);
        var http = (HttpUrlResponse)response;
        http.Headers["Content-Encoding"].Should().Be(coding);
        http.Headers["Content-Length"].Should().NotBeNull();
        http.ExpectedContentLength.Should().Be(-1, "the decoded length is unknown");
    }

    [Fact]
    public async Task Downloads_decode_too()
    {
        await using var session = TestSessions.Ephemeral();

        var (location, _) = await session.DownloadAsync(server.HttpUrl("/gzip"));

        try
        {
            (await File.ReadAllTextAsync(location)).Should().Be(LoopbackEndpoints.CompressedText);
        }
        finally
        {
            File.Delete(location);
        }
    }

    [Fact]
    public async Task A_corrupt_coding_fails_with_CannotDecodeContentData()
    {
        await using var session = TestSessions.Ephemeral();

        var act = () => session.DataAsync(server.HttpUrl("/bad-gzip"));

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.CannotDecodeContentData);
    }

    [Fact]
    public async Task A_truncated_br_body_fails_with_CannotDecodeContentData_not_as_a_shorter_body()
    {
        await using var session = TestSessions.Ephemeral();

        var act = () => session.DataAsync(server.HttpUrl("/truncated-br"));

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.CannotDecodeContentData);
    }
}
