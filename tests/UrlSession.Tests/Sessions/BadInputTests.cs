using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class BadInputTests
{
    private readonly MockHttpMessageHandler _mock = new();
    private int _sent;

    public BadInputTests() => _mock.Fallback.Respond(_ =>
    {
        Interlocked.Increment(ref _sent);
        return new HttpResponseMessage(HttpStatusCode.OK);
    });

    private async Task<SessionTask> RunAsync(UrlRequest request)
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(_mock, recorder);
        var task = session.CreateDataTask(request);
        await task.RunAsync();
        recorder.Errors.Single().Should().BeSameAs(task.Error);
        return task;
    }

    [Fact]
    public async Task A_relative_url_completes_the_task_with_BadUrl()
    {
        var url = new Uri("/just/a/path", UriKind.Relative);

        var task = await RunAsync(url);

        task.Error!.Code.Should().Be(UrlErrorCode.BadUrl);
        task.Error.FailingUrl.Should().Be(url);
        _sent.Should().Be(0);
    }

    [Theory]
    [InlineData("ftp://example.test/file")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ws://example.test/socket")]
    public async Task An_unsupported_scheme_completes_the_task_with_UnsupportedUrl(string url)
    {
        var task = await RunAsync(new Uri(url));

        task.Error!.Code.Should().Be(UrlErrorCode.UnsupportedUrl);
        task.Error.Message.Should().Contain("http and https");
        _sent.Should().Be(0);
    }

    [Theory]
    [InlineData("a\r\nInjected: 1")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    public async Task A_header_value_with_CR_LF_completes_with_BadUrl_and_sends_nothing(string value)
    {
        var task = await RunAsync(new UrlRequest(new Uri("http://example.test/a")).WithHeader("X-Test", value));

        task.Error!.Code.Should().Be(UrlErrorCode.BadUrl);
        task.Error.Message.Should().Contain("X-Test").And.NotContain("Injected");
        _sent.Should().Be(0);
    }

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("Bad:Name")]
    [InlineData("Bäd")]
    public async Task A_malformed_header_name_completes_with_BadUrl_and_sends_nothing(string name)
    {
        var task = await RunAsync(new UrlRequest(new Uri("http://example.test/a")).WithHeader(name, "v"));

        task.Error!.Code.Should().Be(UrlErrorCode.BadUrl);
        _sent.Should().Be(0);
    }

    [Fact]
    public async Task The_error_message_leaves_out_user_info()
    {
        var task = await RunAsync(new Uri("ftp://user:hunter2@example.test/file"));

        task.Error!.Message.Should().NotContain("hunter2");
    }

    [Fact]
    public async Task A_protocol_relative_url_is_BadUrl_and_its_message_leaves_out_user_info()
    {
        var task = await RunAsync(new Uri("//user:hunter2@example.test/x", UriKind.Relative));

        task.Error!.Code.Should().Be(UrlErrorCode.BadUrl);
        task.Error.Message.Should().NotContain("hunter2").And.Contain("example.test/x");
        _sent.Should().Be(0);
    }

    [Fact]
    public async Task A_valid_request_is_sent()
    {
        var task = await RunAsync(new Uri("http://example.test/ok"));

        task.Error.Should().BeNull();
        _sent.Should().Be(1);
    }
}
