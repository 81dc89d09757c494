using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class AsyncStyleTests
{
    [Fact]
    public async Task DataAsync_gives_a_task_delegate_every_event_it_implements()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "hello");
        var sessionDelegate = new RecordingDelegate();
        var taskDelegate = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, sessionDelegate);

        var (data, response) = await session.DataAsync(new Uri("http://example.test/a"), taskDelegate);

        data.Should().Equal("hello"u8.ToArray());
        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        taskDelegate.Events[0].Should().Be("response");
        taskDelegate.Events[^1].Should().Be("complete");
        taskDelegate.Data.ToArray().Should().Equal(data);
        sessionDelegate.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task DataAsync_throws_the_UrlError()
    {
        await using var session = TestSessions.Mock(new MockHttpMessageHandler());

        var load = () => session.DataAsync(new Uri("ftp://example.test/"));

        (await load.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.UnsupportedUrl);
    }

    [Fact]
    public async Task DataAsync_cancellation_token_cancels_the_task()
    {
        var mock = new MockHttpMessageHandler();
        var body = new GatedStream();
        mock.When("http://example.test/slow").Respond(_ => body.Response());
        await using var session = TestSessions.Mock(mock);
        using var cancellation = new CancellationTokenSource();

        var load = session.DataAsync(new Uri("http://example.test/slow"), cancellationToken: cancellation.Token);
        await body.WaitForBlockedReadAsync(1);
        await cancellation.CancelAsync();

        (await load.Invoking(l => l).Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    [Fact]
    public async Task BytesAsync_stream_read_to_end_equals_the_body()
    {
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(5 * 1024 * 1024 + 3);
        mock.When("http://example.test/large").Respond(_ => generated.Response());
        await using var session = TestSessions.Mock(mock);

        var (response, body) = await session.BytesAsync(new Uri("http://example.test/large"));
        await using (body)
        {
            var copy = new MemoryStream();
            await body.CopyToAsync(copy);

            response.ExpectedContentLength.Should().Be(generated.Length);
            copy.Length.Should().Be(generated.Length);
            GeneratedStream.Matches(copy.ToArray(), 0).Should().BeTrue();
        }
    }

    [Fact]
    public async Task BytesAsync_returns_before_the_body_is_complete()
    {
        var mock = new MockHttpMessageHandler();
        var gated = new GatedStream();
        mock.When("http://example.test/slow").Respond(_ => gated.Response());
        await using var session = TestSessions.Mock(mock);

        var (_, body) = await session.BytesAsync(new Uri("http://example.test/slow"));
        await using (body)
        {
            gated.Feed("part1"u8.ToArray());
            var buffer = new byte[5];
            await body.ReadExactlyAsync(buffer);
            buffer.Should().Equal("part1"u8.ToArray());

            gated.Feed("!"u8.ToArray());
            gated.Finish();
            (await new StreamReader(body).ReadToEndAsync()).Should().Be("!");
        }
    }

    [Fact]
    public async Task Disposing_the_BytesAsync_stream_early_cancels_the_task()
    {
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(64L * 1024 * 1024);
        mock.When("http://example.test/large").Respond(_ => generated.Response());
        var taskDelegate = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock);

        var (_, body) = await session.BytesAsync(new Uri("http://example.test/large"), taskDelegate);
        var tasks = await session.GetAllTasksAsync();
        var buffer = new byte[1000];
        await body.ReadExactlyAsync(buffer);
        await body.DisposeAsync();
        await tasks.Single().Completion.WaitAsync(TimeSpan.FromSeconds(30));

        GeneratedStream.Matches(buffer, 0).Should().BeTrue();
        tasks.Single().Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        taskDelegate.Events.Should().Equal("response", "complete Cancelled");
        generated.Position.Should().BeLessThan(generated.Length);
    }

    [Fact]
    public async Task BytesAsync_reports_a_failure_before_the_response_as_UrlError()
    {
        await using var session = TestSessions.Mock(new MockHttpMessageHandler());

        var load = () => session.BytesAsync(new Uri("/relative", UriKind.Relative));

        (await load.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.BadUrl);
    }
}
