using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class RequestHeaderTests
{
    private static readonly Uri Url = new("http://example.test/h");

    private static async Task<Received> SendAsync(UrlRequest request, Action<SessionConfiguration>? configure = null)
    {
        var mock = new MockHttpMessageHandler();
        var received = mock.Record(Url.ToString(), () => new HttpResponseMessage(HttpStatusCode.OK));
        var configuration = TestSessions.Configuration(mock);
        configure?.Invoke(configuration);
        await using var session = new UrlSession(configuration);
        var task = session.CreateDataTask(request);
        await task.RunAsync();
        task.Error.Should().BeNull();
        return received.Single();
    }

    [Fact]
    public async Task Additional_headers_are_sent()
    {
        var received = await SendAsync(Url, c => c.HttpAdditionalHeaders["X-Api-Key"] = "k1");

        received.Headers["X-Api-Key"].Should().Be("k1");
    }

    [Fact]
    public async Task The_requests_own_header_wins_over_an_additional_header_of_any_case()
    {
        var received = await SendAsync(new UrlRequest(Url).WithHeader("X-API-KEY", "request"), c => c.HttpAdditionalHeaders["x-api-key"] = "session");

        received.Headers["X-Api-Key"].Should().Be("request");
    }

    [Fact]
    public async Task A_default_User_Agent_and_Accept_are_sent()
    {
        var received = await SendAsync(Url);

        received.Headers["User-Agent"].Should().StartWith("UrlSession/");
        received.Headers["Accept"].Should().Be("*/*");
    }

    [Fact]
    public async Task The_User_Agent_can_be_replaced_by_the_configuration_or_the_request()
    {
        (await SendAsync(Url, c => c.HttpAdditionalHeaders["User-Agent"] = "App/1.0")).Headers["User-Agent"].Should().Be("App/1.0");
        (await SendAsync(new UrlRequest(Url).WithHeader("user-agent", "Req/2.0"))).Headers["User-Agent"].Should().Be("Req/2.0");
    }

    [Fact]
    public async Task A_bytes_body_without_Content_Type_is_sent_as_form_urlencoded()
    {
        var received = await SendAsync(new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromBytes("a=1"u8.ToArray()) });

        received.Body.Should().Be("a=1");
        received.ContentType.Should().Be("application/x-www-form-urlencoded");
    }

    [Fact]
    public async Task A_Content_Type_header_on_the_request_goes_to_the_body()
    {
        var request = new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromBytes("{}"u8.ToArray()) }.WithHeader("Content-Type", "application/json");

        var received = await SendAsync(request);

        received.ContentType.Should().Be("application/json");
    }

    [Fact]
    public async Task A_repeated_content_header_keeps_every_value_and_a_callers_Content_Length_replaces_the_bodys()
    {
        var request = new UrlRequest(Url)
        {
            Method = HttpMethod.Post,
            Body = RequestBody.FromBytes("abc"u8.ToArray()),
            Headers = HeaderList.Empty.Add("Content-Language", "en").Add("Content-Language", "de").Add("Content-Length", "3"),
        };

        var received = await SendAsync(request);

        received.Headers["Content-Language"].Should().Be("en, de");
        received.Headers["Content-Length"].Should().Be("3");
        received.Body.Should().Be("abc");
    }

    [Fact]
    public async Task A_GET_with_a_body_is_sent_as_given()
    {
        var received = await SendAsync(new UrlRequest(Url) { Body = RequestBody.FromBytes("q"u8.ToArray()) });

        received.Method.Should().Be(HttpMethod.Get);
        received.Body.Should().Be("q");
    }

    [Fact]
    public async Task A_file_body_gets_its_Content_Type_from_the_extension()
    {
        var path = Path.Combine(Path.GetTempPath(), $"urlsession-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, "{\"a\":1}");
        try
        {
            var received = await SendAsync(new UrlRequest(Url) { Method = HttpMethod.Put, Body = RequestBody.FromFile(path) });

            received.Body.Should().Be("{\"a\":1}");
            received.ContentType.Should().Be("application/json");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
