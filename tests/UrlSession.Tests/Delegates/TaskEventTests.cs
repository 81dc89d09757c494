using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Delegates;

public sealed class TaskEventTests
{
    [Fact]
    public async Task DidCreateTask_comes_first_and_once_per_task()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "x");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var first = session.CreateDataTask(new Uri("http://example.test/1"));
        var second = session.CreateDataTask(new Uri("http://example.test/2"), (_, _, _) => { });
        await first.RunAsync();
        await second.RunAsync();

        recorder.Of("created").Select(e => e.Task!.TaskIdentifier).Should().Equal(first.TaskIdentifier, second.TaskIdentifier);
        recorder.Log[0].Should().Match<DelegateEvent>(e => e.Name == "created" && e.Task == first);
    }

    [Fact]
    public async Task Completion_completes_after_the_completion_handler_and_DidComplete_ran()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.OK, "text/plain", "x");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        var handled = 0;

        var task = session.CreateDataTask(new Uri("http://example.test/1"), (_, _, _) => handled++);
        await task.RunAsync();

        handled.Should().Be(1);
        recorder.CompletionCount.Should().Be(1);
    }

    [Fact]
    public async Task Progress_is_zero_when_the_length_is_unknown()
    {
        var mock = new MockHttpMessageHandler();
        var body = new GatedStream();
        mock.When("*").Respond(_ => body.Response());
        await using var session = TestSessions.Mock(mock);
        var task = session.CreateDataTask(new Uri("http://example.test/1"));
        task.Resume();
        await body.WaitForBlockedReadAsync(1);
        body.Feed([1, 2, 3]);
        await body.WaitForBlockedReadAsync(2);

        task.CountOfBytesReceived.Should().Be(3);
        task.CountOfBytesExpectedToReceive.Should().Be(-1);
        task.Progress.FractionCompleted.Should().Be(0);
        body.Finish();
        await task.Completion;
    }

    [Fact]
    public async Task Counts_of_bytes_to_send_follow_the_body()
    {
        await using var session = TestSessions.Mock(new MockHttpMessageHandler());
        var url = new Uri("http://example.test/1");

        var none = session.CreateDataTask(url);
        var bytes = session.CreateDataTask(new UrlRequest(url) { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[10]) });
        var stream = session.CreateDataTask(new UrlRequest(url) { Method = HttpMethod.Post, Body = RequestBody.FromStream(new MemoryStream()) });

        none.CountOfBytesExpectedToSend.Should().Be(0);
        bytes.CountOfBytesExpectedToSend.Should().Be(10);
        stream.CountOfBytesExpectedToSend.Should().Be(-1);
        foreach (var task in new[] { none, bytes, stream })
        {
            task.Cancel();
        }
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.1f)]
    [InlineData(float.NaN)]
    public async Task Priority_must_be_between_zero_and_one(float priority)
    {
        await using var session = TestSessions.Mock(new MockHttpMessageHandler());
        var task = session.CreateDataTask(new Uri("http://example.test/1"));

        task.Invoking(t => t.Priority = priority).Should().Throw<ArgumentOutOfRangeException>();
        task.Priority.Should().Be(0.5f);
        task.Cancel();
    }

}
