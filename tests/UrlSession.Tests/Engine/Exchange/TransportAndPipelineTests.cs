using System.Net;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Engine.Exchange;

public sealed class TransportAndPipelineTests
{
    [Fact]
    public async Task The_transport_sends_what_the_stages_added_and_reports_the_send_and_the_headers()
    {
        var mock = new MockHttpMessageHandler();
        HttpRequestMessage? seen = null;
        mock.When("http://example.test/*").Respond(request =>
        {
            seen = request;
            return new HttpResponseMessage(HttpStatusCode.Accepted);
        });
        var stage = new TransportStage(HeaderList.Empty.Add("User-Agent", "test/1"));
        var host = new FakeExchangeHost();
        var context = FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/a")), host, new HttpMessageInvoker(mock));
        context.CookieHeader = "a=1";
        context.Credential = UrlCredential.ForUser("ann", "pw", CredentialPersistence.None);

        using var response = await stage.SendAsync(context);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        seen!.Headers.GetValues("Cookie").Should().Equal("a=1");
        seen.Headers.Authorization!.Scheme.Should().Be("Basic");
        seen.Headers.UserAgent.ToString().Should().Be("test/1");
        host.Events.Should().Equal("send GET http://example.test/a", "annotate", "response 202");
    }

    [Fact]
    public async Task A_reply_without_status_line_is_a_bad_server_response()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Throw(new HttpRequestException(HttpRequestError.ResponseEnded, "ended"));
        var stage = new TransportStage(HeaderList.Empty);

        var act = async () => await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")), invoker: new HttpMessageInvoker(mock)));

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.BadServerResponse);
    }

    [Fact]
    public async Task Validation_stops_a_bad_request_before_anything_is_sent()
    {
        var next = ScriptedStage.Always(HttpStatusCode.OK);
        var stage = next.Behind(new ValidationStage());

        var act = async () => await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("ftp://example.test/"))));

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.UnsupportedUrl);
        next.Sends.Should().BeEmpty();
    }

    [Fact]
    public async Task The_empty_cache_stage_passes_every_request_on()
    {
        var next = ScriptedStage.Always(HttpStatusCode.OK);
        var stage = next.Behind(new CacheStage());

        using var response = await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/"))));

        next.Sends.Should().ContainSingle();
    }

    [Theory]
    [InlineData(true, false, "RedirectStage ValidationStage CacheStage AuthenticationStage CookieStage ExpectContinueStage TransportStage")]
    [InlineData(false, false, "RedirectStage ValidationStage CacheStage AuthenticationStage ExpectContinueStage TransportStage")]
    [InlineData(true, true, "RedirectStage ValidationStage CacheStage AuthenticationStage CookieStage ConnectivityRetryStage ExpectContinueStage TransportStage")]
    public void A_session_composes_the_stages_it_needs_once_outermost_first(bool cookies, bool waitsForConnectivity, string expected)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpShouldSetCookies = cookies;
        configuration.WaitsForConnectivity = waitsForConnectivity;
        var session = new UrlSession(configuration);

        string.Join(' ', ExchangePipeline.Stages(session.Exchange).Select(s => s.GetType().Name)).Should().Be(expected);
    }
}
