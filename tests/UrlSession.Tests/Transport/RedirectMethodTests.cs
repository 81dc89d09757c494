using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class RedirectMethodTests
{
    private static readonly UrlRequest Post = new(new Uri("http://example.test/start"))
    {
        Method = HttpMethod.Post,
        Body = RequestBody.FromBytes("name=value"u8.ToArray()),
    };

    private static async Task<(DataTask Task, Received Final)> FollowAsync(int status, UrlRequest request)
    {
        var mock = new MockHttpMessageHandler();
        mock.Record("http://example.test/start", () => RedirectMock.Redirect(status, "http://example.test/target"));
        var target = mock.Record("http://example.test/target", () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("done") });
        await using var session = TestSessions.Mock(mock);
        var task = session.CreateDataTask(request);
        await task.RunAsync();
        task.Error.Should().BeNull();
        return (task, target.Single());
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    public async Task Redirect_301_and_302_turn_POST_into_GET_without_body(int status)
    {
        var (task, final) = await FollowAsync(status, Post.WithHeader("Content-Type", "application/json"));

        final.Method.Should().Be(HttpMethod.Get);
        final.Body.Should().BeNull();
        final.ContentType.Should().BeNull();
        task.CurrentRequest!.Method.Should().Be(HttpMethod.Get);
        task.CurrentRequest.Body.Should().BeNull();
        task.CurrentRequest.Headers.Contains("Content-Type").Should().BeFalse();
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    public async Task Redirect_301_and_302_keep_PUT(int status)
    {
        var (_, final) = await FollowAsync(status, Post with { Method = HttpMethod.Put });

        final.Method.Should().Be(HttpMethod.Put);
        final.Body.Should().Be("name=value");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Redirect_303_turns_any_method_into_GET_without_body(string method)
    {
        var (_, final) = await FollowAsync(303, Post with { Method = new HttpMethod(method) });

        final.Method.Should().Be(HttpMethod.Get);
        final.Body.Should().BeNull();
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_307_and_308_keep_method_and_body(int status)
    {
        var (task, final) = await FollowAsync(status, Post.WithHeader("Content-Type", "text/plain"));

        final.Method.Should().Be(HttpMethod.Post);
        final.Body.Should().Be("name=value");
        final.ContentType.Should().Be("text/plain");
        task.Response!.Url.Should().Be(new Uri("http://example.test/target"));
    }

    [Fact]
    public async Task Redirect_303_GET_stays_GET()
    {
        var (_, final) = await FollowAsync(303, new UrlRequest(new Uri("http://example.test/start")));

        final.Method.Should().Be(HttpMethod.Get);
    }
}
