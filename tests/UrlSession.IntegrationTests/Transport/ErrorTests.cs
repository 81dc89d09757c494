namespace UrlSessions.IntegrationTests.Transport;

public sealed class ErrorTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task Refused_connection_is_CannotConnectToHost()
    {
        var url = new Uri($"http://127.0.0.1:{server.ClosedPort}/hello");

        var error = await FailureOf(url);

        error.Code.Should().Be(UrlErrorCode.CannotConnectToHost);
        error.FailingUrl.Should().Be(url);
        error.InnerException.Should().NotBeNull();
    }

    [Fact]
    public async Task Unknown_host_is_CannotFindHost()
    {
        var error = await FailureOf(new Uri("http://no-such-host.invalid/hello"));

        error.Code.Should().Be(UrlErrorCode.CannotFindHost);
    }

    [Fact]
    public async Task Dropped_connection_mid_body_is_NetworkConnectionLost()
    {
        var id = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);
        session.CreateDataTask(server.HttpUrl($"/drop/5000?id={id}")).Resume();
        var response = (HttpUrlResponse)await recorder.Response.Within();
        await recorder.DataReached(5000).Within();

        server.Gates.Stall(id).Release();
        var error = await recorder.Completed.Within();

        error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        response.ExpectedContentLength.Should().Be(105_000);
        recorder.DataLength.Should().Be(5000);
    }

    [Fact]
    public async Task Dropped_connection_fails_the_BytesAsync_stream_with_NetworkConnectionLost()
    {
        var id = GateRegistry.NewId();
        await using var session = TestSessions.Ephemeral();
        var (_, body) = await session.BytesAsync(server.HttpUrl($"/drop/10?id={id}")).Within();
        await using (body)
        {
            var first = new byte[10];
            await body.ReadExactlyAsync(first).AsTask().Within();
            server.Gates.Stall(id).Release();

            var error = (await FluentActions.Awaiting(() => body.ReadAsync(new byte[10]).AsTask().Within()).Should().ThrowAsync<UrlError>()).Which;
            error.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        }
    }

    [Fact]
    public async Task Dropped_connection_fails_the_completion_handler_with_NetworkConnectionLost()
    {
        var id = GateRegistry.NewId();
        var stall = server.Gates.Stall(id);
        await using var session = TestSessions.Ephemeral();
        var load = session.LoadAsync(server.HttpUrl($"/drop/10?id={id}"));
        await stall.Started.Within();
        stall.Release();

        var (data, _, error) = await load;

        data.Should().BeNull();
        error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
    }

    [Theory]
    [InlineData("/garbage")]
    [InlineData("/http09")]
    [InlineData("/bad-header")]
    public async Task Malformed_responses_are_BadServerResponse(string path)
    {
        var error = await FailureOf(server.Raw.Url(path));

        error.Code.Should().Be(UrlErrorCode.BadServerResponse);
    }

    [Fact]
    public async Task Corrupt_gzip_is_CannotDecodeContentData()
    {
        var error = await FailureOf(server.HttpUrl("/bad-gzip"));

        error.Code.Should().Be(UrlErrorCode.CannotDecodeContentData);
    }

    [Fact]
    public async Task Corrupt_gzip_through_a_delegate_is_CannotDecodeContentData()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);
        session.CreateDataTask(server.HttpUrl("/bad-gzip")).Resume();

        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.CannotDecodeContentData);
    }

    [Fact]
    public async Task A_self_signed_certificate_without_trust_is_ServerCertificateUntrusted()
    {
        var error = await FailureOf(server.HttpsUrl("/hello"));

        error.Code.Should().Be(UrlErrorCode.ServerCertificateUntrusted);
    }

    [Fact]
    public async Task An_ftp_url_is_UnsupportedUrl_as_the_tasks_error()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);
        var task = session.CreateDataTask(new Uri("ftp://127.0.0.1/file"));
        task.Resume();

        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.UnsupportedUrl);
    }

    [Fact]
    public async Task A_relative_url_is_BadUrl()
    {
        var error = await FailureOf(new Uri("/relative/path", UriKind.Relative));

        error.Code.Should().Be(UrlErrorCode.BadUrl);
    }

    [Theory]
    [InlineData("a\r\nInjected: yes")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    public async Task CR_or_LF_in_a_header_is_BadUrl_and_nothing_reaches_the_server(string value)
    {
        var probe = GateRegistry.NewId();
        await using var session = TestSessions.Ephemeral();
        var url = server.HttpUrl($"/echo?probe={probe}");

        var error = (await FluentActions.Awaiting(() => session.DataAsync(new UrlRequest(url).WithHeader("X-Evil", value)).Within())
            .Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.BadUrl);
        server.Gates.Hits(probe).Should().Be(0);
        await session.DataAsync(new UrlRequest(url).WithHeader("X-Fine", "ok")).Within();
        server.Gates.Hits(probe).Should().Be(1, "the same request without the bad header does reach the server");
    }

    [Fact]
    public async Task Error_messages_name_the_url_without_secrets()
    {
        var url = new Uri($"http://user:hunter2@127.0.0.1:{server.ClosedPort}/hello");

        var error = await FailureOf(url);

        error.Message.Should().Contain($"127.0.0.1:{server.ClosedPort}/hello").And.NotContain("hunter2");
    }

    private static async Task<UrlError> FailureOf(UrlRequest request)
    {
        await using var session = TestSessions.Ephemeral();
        return (await FluentActions.Awaiting(() => session.DataAsync(request).Within()).Should().ThrowAsync<UrlError>()).Which;
    }
}
