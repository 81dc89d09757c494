using System.Net;

namespace UrlSessions.Tests.Engine.Exchange;

public sealed class RedirectStageTests
{
    private static HttpResponseMessage Redirect(HttpStatusCode status, string location)
    {
        var message = new HttpResponseMessage(status);
        message.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return message;
    }

    [Fact]
    public async Task A_302_to_a_POST_is_followed_as_a_GET_without_body_and_the_final_response_is_kept()
    {
        var next = new ScriptedStage((_, n) => n == 1 ? Redirect(HttpStatusCode.Found, "/next") : new HttpResponseMessage(HttpStatusCode.OK));
        var stage = next.Behind(new RedirectStage(SessionSettings.From(SessionConfiguration.Ephemeral)));
        var host = new FakeExchangeHost();
        var request = new UrlRequest(new Uri("http://example.test/form")) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[] { 1, 2 }) };
        var context = FakeExchangeHost.Context(request, host);

        using var response = await stage.SendAsync(context);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        next.Sends.Select(s => $"{s.Request.Method} {s.Request.Url.AbsolutePath} {s.Request.Body is null}")
            .Should().Equal("POST /form False", "GET /next True");
        context.FinalResponse!.StatusCode.Should().Be(200);
        context.FinalResponse!.Url.Should().Be(new Uri("http://example.test/next"));
        host.Events.Should().Contain("redirected 302");
    }

    [Fact]
    public async Task The_seventeenth_redirect_response_fails_with_HttpTooManyRedirects()
    {
        var next = new ScriptedStage((_, n) => Redirect(HttpStatusCode.Found, $"/hop{n}"));
        var stage = next.Behind(new RedirectStage(SessionSettings.From(SessionConfiguration.Ephemeral)));

        var act = async () => await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/"))));

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.HttpTooManyRedirects);
        next.Sends.Should().HaveCount(RedirectStage.MaxRedirects + 1);
    }

    [Fact]
    public async Task A_refused_redirect_is_the_final_response()
    {
        var next = new ScriptedStage((_, _) => Redirect(HttpStatusCode.MovedPermanently, "http://other.test/"));
        var stage = next.Behind(new RedirectStage(SessionSettings.From(SessionConfiguration.Ephemeral)));
        var host = new FakeExchangeHost { Redirect = (_, _) => null };
        var context = FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")), host);

        using var response = await stage.SendAsync(context);

        response.StatusCode.Should().Be(HttpStatusCode.MovedPermanently);
        next.Sends.Should().ContainSingle();
        context.FinalResponse!.StatusCode.Should().Be(301);
    }

    [Fact]
    public async Task A_new_hop_forgets_the_previous_hops_credential()
    {
        var next = new ScriptedStage((_, n) => n == 1 ? Redirect(HttpStatusCode.TemporaryRedirect, "/b") : new HttpResponseMessage(HttpStatusCode.OK));
        var stage = next.Behind(new RedirectStage(SessionSettings.From(SessionConfiguration.Ephemeral)));
        var context = FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/a")));
        context.Credential = UrlCredential.ForUser("u", "p", CredentialPersistence.None);

        using var response = await stage.SendAsync(context);

        next.Sends[0].Credential.Should().NotBeNull();
        next.Sends[1].Credential.Should().BeNull();
    }
}
