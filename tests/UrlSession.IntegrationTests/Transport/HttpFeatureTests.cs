using System.Text;

namespace UrlSessions.IntegrationTests.Transport;

public sealed class HttpFeatureTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task Additional_headers_are_merged_under_the_requests_own()
    {
        await using var session = TestSessions.Ephemeral(configure: c =>
        {
            c.HttpAdditionalHeaders["X-Session"] = "from-session";
            c.HttpAdditionalHeaders["X-Both"] = "from-session";
        });
        var request = new UrlRequest(server.HttpUrl("/echo")).WithHeader("X-Both", "from-request").WithHeader("X-Request", "own");

        var (data, _) = await session.DataAsync(request).Within();

        var echo = EchoResult.Parse(data);
        echo.Header("X-Session").Should().Be("from-session");
        echo.Header("X-Both").Should().Be("from-request");
        echo.Header("X-Request").Should().Be("own");
    }

    [Fact]
    public async Task A_default_User_Agent_is_sent_and_can_be_replaced()
    {
        await using var session = TestSessions.Ephemeral();

        var (plain, _) = await session.DataAsync(server.HttpUrl("/echo")).Within();
        var (custom, _) = await session.DataAsync(new UrlRequest(server.HttpUrl("/echo")).WithHeader("User-Agent", "MyApp/2")).Within();

        EchoResult.Parse(plain).Header("User-Agent").Should().StartWith("UrlSession/");
        EchoResult.Parse(custom).Header("User-Agent").Should().Be("MyApp/2");
    }

    [Theory]
    [InlineData("/gzip", "gzip")]
    [InlineData("/deflate", "deflate")]
    [InlineData("/br", "br")]
    public async Task Compressed_bodies_are_decoded(string path, string encoding)
    {
        await using var session = TestSessions.Ephemeral();

        var (data, _) = await session.DataAsync(server.HttpUrl(path)).Within();
        var (echo, _) = await session.DataAsync(server.HttpUrl("/echo")).Within();

        Encoding.UTF8.GetString(data).Should().Be(LoopbackEndpoints.CompressedText);
        EchoResult.Parse(echo).Header("Accept-Encoding").Should().Contain(encoding);
    }

    [Fact]
    public async Task Compressed_bodies_are_decoded_for_delegates_too()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);
        session.CreateDataTask(server.HttpUrl("/br")).Resume();

        (await recorder.Completed.Within()).Should().BeNull();
        Encoding.UTF8.GetString(recorder.Data).Should().Be(LoopbackEndpoints.CompressedText);
    }

    [Fact]
    public async Task Http2_is_negotiated_over_tls_when_the_delegate_trusts_the_certificate()
    {
        var trusting = new RecordingDelegate { TrustedCertificate = server.Certificate };
        await using var session = TestSessions.Ephemeral(trusting);

        var (data, response) = await session.DataAsync(server.HttpsUrl("/echo")).Within();

        ((HttpUrlResponse)response).HttpVersion.Should().Be(new Version(2, 0));
        EchoResult.Parse(data).Protocol.Should().Be("HTTP/2");
        trusting.ServerTrustChallenges.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Plain_http_stays_on_http11()
    {
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.DataAsync(server.HttpUrl("/echo")).Within();

        ((HttpUrlResponse)response).HttpVersion.Should().Be(new Version(1, 1));
        EchoResult.Parse(data).Protocol.Should().Be("HTTP/1.1");
    }

    [Fact]
    public async Task Tls_fails_when_the_delegate_trusts_a_different_certificate()
    {
        using var other = Fixtures.TestCertificate.CreateOther();
        await using var session = TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = other });

        var error = (await FluentActions.Awaiting(() => session.DataAsync(server.HttpsUrl("/hello")).Within()).Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.ServerCertificateUntrusted);
        error.FailingUrl.Should().Be(server.HttpsUrl("/hello"));
    }

    [Fact]
    public async Task HttpMaximumConnectionsPerHost_bounds_concurrent_connections()
    {
        var id = GateRegistry.NewId();
        var probe = server.Gates.Connections(id);
        await using var session = TestSessions.Ephemeral(configure: c => c.HttpMaximumConnectionsPerHost = 2);

        var loads = Enumerable.Range(0, 5).Select(_ => session.DataAsync(server.HttpUrl($"/connections?id={id}"))).ToList();
        await probe.InFlightReached(2).Within();
        (await probe.InFlightReached(3).StaysQuiet(TimeSpan.FromMilliseconds(400))).Should().BeTrue("at most two connections may be open");
        probe.Release();
        await Task.WhenAll(loads).Within();

        probe.MaxInFlight.Should().Be(2);
        probe.DistinctConnections.Should().Be(2);
    }

    [Fact]
    public async Task Without_a_limit_requests_run_concurrently()
    {
        var id = GateRegistry.NewId();
        var probe = server.Gates.Connections(id);
        await using var session = TestSessions.Ephemeral();

        var loads = Enumerable.Range(0, 4).Select(_ => session.DataAsync(server.HttpUrl($"/connections?id={id}"))).ToList();
        await probe.InFlightReached(4).Within();
        probe.Release();
        await Task.WhenAll(loads).Within();

        probe.MaxInFlight.Should().Be(4);
    }

    [Fact]
    public async Task A_post_body_without_content_type_is_form_urlencoded()
    {
        await using var session = TestSessions.Ephemeral();
        var body = LoopbackEndpoints.Pattern(70_000);
        var request = new UrlRequest(server.HttpUrl("/echo")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(body) };

        var (data, _) = await session.DataAsync(request).Within();

        var echo = EchoResult.Parse(data);
        echo.BodyLength.Should().Be(70_000);
        echo.BodySha256.Should().Be(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body)));
        echo.Header("Content-Type").Should().Be("application/x-www-form-urlencoded");
    }
}
