using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class DelegateStyleTests
{
    [Fact]
    public async Task Events_arrive_as_response_then_data_in_order_then_complete()
    {
        var mock = new MockHttpMessageHandler();
        var body = new GatedStream();
        mock.When("http://example.test/stream").Respond(_ => body.Response());
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);
        var task = session.CreateDataTask(new Uri("http://example.test/stream"));

        task.Resume();
        var expected = new List<byte>();
        for (var i = 0; i < 5; i++)
        {
            await body.WaitForBlockedReadAsync(i + 1);
            var chunk = Enumerable.Range(0, 1000).Select(b => (byte)(b + i)).ToArray();
            expected.AddRange(chunk);
            body.Feed(chunk);
        }

        body.Finish();
        await task.Completion;

        var events = recorder.Events.ToList();
        events[0].Should().Be("response");
        events[^1].Should().Be("complete");
        events.Skip(1).SkipLast(1).Should().NotBeEmpty().And.OnlyContain(e => e == "data");
        recorder.Data.ToArray().Should().Equal(expected);
        task.CountOfBytesReceived.Should().Be(5000);
    }

    [Fact]
    public async Task The_concatenated_data_equals_the_body()
    {
        var mock = new MockHttpMessageHandler();
        var generated = new GeneratedStream(3 * 1024 * 1024 + 17);
        mock.When("http://example.test/large").Respond(_ => generated.Response());
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/large"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        recorder.DataLength.Should().Be(generated.Length);
        GeneratedStream.Matches(recorder.Data, 0).Should().BeTrue();
        task.CountOfBytesExpectedToReceive.Should().Be(generated.Length);
        task.Progress.FractionCompleted.Should().Be(1);
    }

    [Fact]
    public async Task Cancel_from_DidReceiveResponse_completes_with_Cancelled_and_no_data()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/a").Respond(HttpStatusCode.OK, "text/plain", "abc");
        var recorder = new RecordingDelegate { Disposition = ResponseDisposition.Cancel };
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/a"));
        await task.RunAsync();

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.Events.Should().Equal("response", "complete Cancelled");
    }

    [Fact]
    public async Task A_404_is_a_response_not_an_error()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("http://example.test/missing").Respond(HttpStatusCode.NotFound, "text/plain", "nope");
        var recorder = new RecordingDelegate();
        await using var session = TestSessions.Mock(mock, recorder);

        var task = session.CreateDataTask(new Uri("http://example.test/missing"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        ((HttpUrlResponse)task.Response!).StatusCode.Should().Be(404);
        recorder.Data.ToArray().Should().Equal("nope"u8.ToArray());
    }
}
