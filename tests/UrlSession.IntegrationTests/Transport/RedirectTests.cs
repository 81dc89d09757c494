using System.Text;

namespace UrlSessions.IntegrationTests.Transport;

public sealed class RedirectTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("name=value&other=thing");

    [Theory]
    [InlineData(301, "POST", "GET", false)]
    [InlineData(302, "POST", "GET", false)]
    [InlineData(303, "POST", "GET", false)]
    [InlineData(303, "PUT", "GET", false)]
    [InlineData(307, "POST", "POST", true)]
    [InlineData(308, "POST", "POST", true)]
    [InlineData(307, "PUT", "PUT", true)]
    [InlineData(301, "PUT", "PUT", true)]
    public async Task Redirect_method_and_body_rules(int code, string method, string expectedMethod, bool keepsBody)
    {
        await using var session = TestSessions.Ephemeral();
        var request = new UrlRequest(server.HttpUrl($"/redirect/{code}?to=%2Fecho"))
        {
            Method = new HttpMethod(method),
            Body = RequestBody.FromBytes(Payload),
        };

        var (data, response) = await session.DataAsync(request).Within();

        var echo = EchoResult.Parse(data);
        echo.Method.Should().Be(expectedMethod);
        echo.BodyLength.Should().Be(keepsBody ? Payload.Length : 0);
        if (keepsBody)
        {
            echo.BodyText.Should().Be("name=value&other=thing");
            echo.Header("Content-Type").Should().Be("application/x-www-form-urlencoded");
        }
        else
        {
            echo.Header("Content-Type").Should().BeNull();
        }

        response.Url.AbsolutePath.Should().Be("/echo");
    }

    [Fact]
    public async Task Head_stays_head_on_303()
    {
        await using var session = TestSessions.Ephemeral();
        var request = new UrlRequest(server.HttpUrl("/redirect/303?to=%2Fhello")) { Method = HttpMethod.Head };

        var (data, response) = await session.DataAsync(request).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        response.Url.AbsolutePath.Should().Be("/hello");
        data.Should().BeEmpty();
    }

    [Fact]
    public async Task Relative_location_resolves_against_the_answering_url()
    {
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.DataAsync(server.HttpUrl("/redirect/302?to=..%2Fecho%3Fa%3D1")).Within();

        response.Url.Should().Be(server.HttpUrl("/echo?a=1"));
        EchoResult.Parse(data).PathAndQuery.Should().Be("/echo?a=1");
    }

    [Fact]
    public async Task Protocol_relative_location_keeps_the_scheme()
    {
        await using var session = TestSessions.Ephemeral();
        var to = Uri.EscapeDataString($"//localhost:{server.HttpPort}/echo");

        var (data, response) = await session.DataAsync(server.HttpUrl($"/redirect/302?to={to}")).Within();

        response.Url.Should().Be(new Uri($"http://localhost:{server.HttpPort}/echo"));
        EchoResult.Parse(data).Method.Should().Be("GET");
    }

    [Fact]
    public async Task Sixteen_redirects_are_followed()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);

        var (data, response) = await session.DataAsync(server.HttpUrl("/redirect-chain/16")).Within();

        Encoding.UTF8.GetString(data).Should().Be("done");
        response.Url.AbsolutePath.Should().Be("/redirect-chain/0");
        recorder.Redirects.Should().HaveCount(16);
    }

    [Fact]
    public async Task The_seventeenth_redirect_fails_with_HttpTooManyRedirects()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);

        var error = (await FluentActions.Awaiting(() => session.DataAsync(server.HttpUrl("/redirect-chain/17")).Within())
            .Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.HttpTooManyRedirects);
        error.FailingUrl.Should().Be(server.HttpUrl("/redirect-chain/1"));
        recorder.Redirects.Should().HaveCount(16);
    }

    [Fact]
    public async Task A_refusing_delegate_gets_the_redirect_response_as_final()
    {
        var recorder = new RecordingDelegate { RefuseRedirects = true };
        await using var session = TestSessions.Ephemeral(recorder);

        var (_, response, error) = await session.LoadAsync(server.HttpUrl("/redirect/302?to=%2Fhello"));

        error.Should().BeNull();
        var http = (HttpUrlResponse)response!;
        http.StatusCode.Should().Be(302);
        http.Headers["Location"].Should().Be("/hello");
        recorder.Redirects.Should().ContainSingle();
    }

    [Fact]
    public async Task Authorization_and_Cookie_stay_with_their_origin_across_a_redirect()
    {
        await using var session = TestSessions.Ephemeral();
        var sameOrigin = await Echo(session, server.HttpUrl("/echo"));
        var crossOrigin = await Echo(session, server.LocalhostHttpUrl("/echo"));

        sameOrigin.Header("Authorization").Should().Be("Bearer secret");
        sameOrigin.Header("Cookie").Should().Be("k=v");
        sameOrigin.Header("X-Custom").Should().Be("kept");
        crossOrigin.Header("Authorization").Should().BeNull();
        crossOrigin.Header("Cookie").Should().BeNull();
        crossOrigin.Header("X-Custom").Should().Be("kept");

        async Task<EchoResult> Echo(UrlSession s, Uri target)
        {
            var request = new UrlRequest(server.HttpUrl($"/redirect/307?to={Uri.EscapeDataString(target.ToString())}"))
                .WithHeader("Authorization", "Bearer secret")
                .WithHeader("Cookie", "k=v")
                .WithHeader("X-Custom", "kept");
            var (data, _) = await s.DataAsync(request).Within();
            return EchoResult.Parse(data);
        }
    }

    [Fact]
    public async Task Https_to_http_redirect_is_refused_by_default()
    {
        await using var session = TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate });
        var to = Uri.EscapeDataString(server.HttpUrl("/echo").ToString());

        var error = (await FluentActions.Awaiting(() => session.DataAsync(server.HttpsUrl($"/redirect/302?to={to}")).Within())
            .Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.AppTransportSecurityRequiresSecureConnection);
    }

    [Fact]
    public async Task Https_to_http_redirect_is_followed_when_allowed()
    {
        await using var session = TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate }, c => c.AllowsInsecureRedirects = true);
        var to = Uri.EscapeDataString(server.HttpUrl("/echo").ToString());

        var (data, response) = await session.DataAsync(server.HttpsUrl($"/redirect/302?to={to}")).Within();

        response.Url.Scheme.Should().Be("http");
        EchoResult.Parse(data).Method.Should().Be("GET");
    }

    [Fact]
    public async Task A_redirect_without_Location_is_the_final_response()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);

        var (_, response) = await session.DataAsync(server.HttpUrl("/status/302")).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(302);
        recorder.Redirects.Should().BeEmpty();
    }

    [Fact]
    public async Task A_redirect_to_an_unsupported_scheme_fails_with_UnsupportedUrl()
    {
        await using var session = TestSessions.Ephemeral();

        var error = (await FluentActions.Awaiting(() => session.DataAsync(server.HttpUrl("/redirect/302?to=ftp%3A%2F%2F127.0.0.1%2Ffile")).Within())
            .Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.UnsupportedUrl);
    }
}
