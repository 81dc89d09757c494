using System.Text;

namespace UrlSessions.IntegrationTests.Sessions;

public sealed class SessionStateTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task ResetAsync_empties_the_cookie_store()
    {
        var storage = new CookieStorage();
        await using var session = TestSessions.Ephemeral(configure: c => c.HttpCookieStorage = storage);
        await session.DataAsync(server.HttpUrl("/set-cookie")).Within();
        storage.Count.Should().Be(1);

        await session.ResetAsync();

        storage.Count.Should().Be(0);
        var (data, _) = await session.DataAsync(server.HttpUrl("/cookie-echo")).Within();
        Encoding.UTF8.GetString(data).Should().BeEmpty();
    }

    [Fact]
    public async Task Changing_the_configuration_after_creating_the_session_does_not_reach_it()
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpAdditionalHeaders["X-Version"] = "1";
        await using var session = new UrlSession(configuration);
        configuration.HttpAdditionalHeaders["X-Version"] = "2";

        var (data, _) = await session.DataAsync(server.HttpUrl("/echo")).Within();

        EchoResult.Parse(data).Header("X-Version").Should().Be("1");
    }

    [Fact]
    public async Task Localhost_and_ip_are_both_trusted_by_name_with_the_delegate()
    {
        await using var session = TestSessions.Ephemeral(new RecordingDelegate { TrustedCertificate = server.Certificate });

        var (data, _) = await session.DataAsync(new Uri($"https://localhost:{server.HttpsPort}/hello")).Within();

        Encoding.UTF8.GetString(data).Should().Be("hello");
    }
}
