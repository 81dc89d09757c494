using System.Text;

namespace UrlSessions.IntegrationTests.Cookies;

public sealed class CookieTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task Cookies_from_a_response_are_stored_and_sent_back()
    {
        var storage = new CookieStorage();
        await using var session = TestSessions.Ephemeral(configure: c => c.HttpCookieStorage = storage);

        await session.DataAsync(server.HttpUrl("/set-cookie?name=flavour&value=oat")).Within();
        var (data, _) = await session.DataAsync(server.HttpUrl("/cookie-echo")).Within();

        storage.GetCookies(server.HttpUrl("/")).Should().ContainSingle(c => c.Name == "flavour" && c.Value == "oat");
        Encoding.UTF8.GetString(data).Should().Be("flavour=oat");
    }

    [Fact]
    public async Task Stored_cookies_are_sent_on_redirect_hops()
    {
        await using var session = TestSessions.Ephemeral();
        var to = Uri.EscapeDataString("/cookie-echo");

        await session.DataAsync(server.HttpUrl("/set-cookie?name=hop&value=1")).Within();
        var (data, _) = await session.DataAsync(server.HttpUrl($"/redirect/302?to={to}")).Within();

        Encoding.UTF8.GetString(data).Should().Be("hop=1");
    }

    [Fact]
    public async Task No_cookies_when_the_request_opts_out()
    {
        await using var session = TestSessions.Ephemeral();
        await session.DataAsync(server.HttpUrl("/set-cookie")).Within();

        var (data, _) = await session.DataAsync(new UrlRequest(server.HttpUrl("/cookie-echo")) { HttpShouldHandleCookies = false }).Within();

        Encoding.UTF8.GetString(data).Should().BeEmpty();
    }

    [Fact]
    public async Task Cookie_accept_policy_never_stores_nothing()
    {
        var storage = new CookieStorage();
        await using var session = TestSessions.Ephemeral(configure: c =>
        {
            c.HttpCookieStorage = storage;
            c.HttpCookieAcceptPolicy = CookieAcceptPolicy.Never;
        });

        await session.DataAsync(server.HttpUrl("/set-cookie")).Within();

        storage.Count.Should().Be(0);
    }

    [Fact]
    public async Task Stored_cookies_do_not_go_to_another_origin()
    {
        await using var session = TestSessions.Ephemeral();
        await session.DataAsync(server.HttpUrl("/set-cookie?name=mine&value=x")).Within();

        var (data, _) = await session.DataAsync(server.LocalhostHttpUrl("/cookie-echo")).Within();

        Encoding.UTF8.GetString(data).Should().BeEmpty();
    }
}
