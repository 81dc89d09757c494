using System.Text;

namespace UrlSessions.IntegrationTests.Sessions;

public sealed class DataTaskStyleTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task Completion_handler_gets_the_whole_body_and_no_response_or_data_events()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);

        var (data, response, error) = await session.LoadAsync(server.HttpUrl("/bytes/100000"));

        error.Should().BeNull();
        data.Should().Equal(LoopbackEndpoints.Pattern(100_000));
        var http = response.Should().BeOfType<HttpUrlResponse>().Subject;
        http.StatusCode.Should().Be(200);
        http.ExpectedContentLength.Should().Be(100_000);
        await recorder.Completed.Within();
        recorder.Names.Should().Equal("complete");
    }

    [Fact]
    public async Task Delegate_gets_response_then_data_chunks_in_order_then_complete()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral(recorder);

        var task = session.CreateDataTask(server.HttpUrl("/chunked/300000"));
        task.State.Should().Be(SessionTaskState.Suspended);
        task.Resume();
        var error = await recorder.Completed.Within();

        error.Should().BeNull();
        recorder.Data.Should().Equal(LoopbackEndpoints.Pattern(300_000));
        recorder.Names[0].Should().Be("response");
        recorder.Names[^1].Should().Be("complete");
        recorder.Names.Skip(1).SkipLast(1).Should().OnlyContain(e => e == "data").And.NotBeEmpty();
        ((HttpUrlResponse)(await recorder.Response)).ExpectedContentLength.Should().Be(-1);
        await task.Completion.Within();
        task.State.Should().Be(SessionTaskState.Completed);
        task.CountOfBytesReceived.Should().Be(300_000);
        (await session.GetAllTasksAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task DataAsync_returns_body_and_response()
    {
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.DataAsync(server.HttpUrl("/hello")).Within();

        Encoding.UTF8.GetString(data).Should().Be("hello");
        response.MimeType.Should().Be("text/plain");
        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
    }

    [Fact]
    public async Task DataAsync_task_delegate_receives_data_events()
    {
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Ephemeral();

        var (data, _) = await session.DataAsync(server.HttpUrl("/bytes/5000"), recorder).Within();

        data.Should().HaveCount(5000);
        recorder.Data.Should().Equal(data);
        recorder.Names.Should().StartWith("response");
    }

    [Fact]
    public async Task BytesAsync_streams_the_body()
    {
        await using var session = TestSessions.Ephemeral();

        var (response, body) = await session.BytesAsync(server.HttpUrl("/bytes/200000")).Within();
        await using (body)
        {
            using var copy = new MemoryStream();
            await body.CopyToAsync(copy).Within();
            copy.ToArray().Should().Equal(LoopbackEndpoints.Pattern(200_000));
        }

        response.ExpectedContentLength.Should().Be(200_000);
    }

    [Fact]
    public async Task Http_errors_are_responses_not_errors()
    {
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.DataAsync(server.HttpUrl("/status/503")).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(503);
        Encoding.UTF8.GetString(data).Should().Be("status 503");
    }
}
