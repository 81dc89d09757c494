using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Transport;

public sealed class AdditionalHeadersAcrossOriginsTests
{
    [Theory]
    [InlineData("http://a.test/next", true)]
    [InlineData("http://b.test/next", false)]
    [InlineData("https://a.test/next", false)]
    public async Task Session_credentials_follow_a_redirect_only_within_the_origin(string location, bool kept)
    {
        var seen = new ConcurrentDictionary<string, string?>();
        var mock = new MockHttpMessageHandler();
        mock.When("http://a.test/start").Respond(_ => new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri(location) } });
        mock.When("*/next").Respond(request =>
        {
            seen[request.RequestUri!.AbsoluteUri] = request.Headers.Authorization?.ToString();
            seen["x-trace"] = request.Headers.TryGetValues("X-Trace", out var trace) ? trace.Single() : null;
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        await using var session = TestSessions.Mock(mock, configure: c =>
        {
            c.HttpAdditionalHeaders["Authorization"] = "Bearer session-token";
            c.HttpAdditionalHeaders["X-Trace"] = "abc";
        });

        await session.DataAsync(new Uri("http://a.test/start"));

        seen[location].Should().Be(kept ? "Bearer session-token" : null);
        seen["x-trace"].Should().Be("abc", "only credentials and cookies are bound to the origin");
    }
}
