using System.Net;

namespace UrlSessions.Tests.Engine.Exchange;

public sealed class CookieStageTests
{
    [Fact]
    public async Task Stored_cookies_go_out_and_Set_Cookie_of_any_response_is_stored()
    {
        var configuration = SessionConfiguration.Ephemeral;
        var storage = new CookieStorage();
        configuration.HttpCookieStorage = storage;
        storage.SetCookies(new Uri("http://example.test/"), "a=1; Path=/");
        var next = new ScriptedStage((_, _) =>
        {
            var message = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            message.Headers.TryAddWithoutValidation("Set-Cookie", "b=2; Path=/");
            return message;
        });
        var stage = next.Behind(new CookieStage(SessionSettings.From(configuration), SessionServices.From(configuration)));

        using var response = await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/x"))));

        next.Sends.Single().Cookie.Should().Be("a=1");
        storage.GetCookieHeader(new Uri("http://example.test/")).Should().Contain("b=2");
    }

    [Fact]
    public async Task A_request_with_its_own_Cookie_header_or_cookies_off_gets_none_from_the_storage()
    {
        var configuration = SessionConfiguration.Ephemeral;
        var storage = new CookieStorage();
        configuration.HttpCookieStorage = storage;
        storage.SetCookies(new Uri("http://example.test/"), "a=1; Path=/");
        var next = ScriptedStage.Always(HttpStatusCode.OK);
        var stage = next.Behind(new CookieStage(SessionSettings.From(configuration), SessionServices.From(configuration)));

        using (await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")).WithHeader("Cookie", "mine=1"))))
        {
        }

        using (await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")) { HttpShouldHandleCookies = false })))
        {
        }

        next.Sends.Select(s => s.Cookie).Should().Equal(null, null);
    }
}
