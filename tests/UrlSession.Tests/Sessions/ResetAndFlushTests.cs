using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class ResetAndFlushTests
{
    private static readonly Uri Url = new("http://example.test/r");

    [Fact]
    public async Task ResetAsync_empties_the_stores_and_the_session_keeps_working()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(HttpStatusCode.OK, "text/plain", "x");
        var configuration = TestSessions.Configuration(mock);
        configuration.HttpCookieStorage!.SetCookie(new Cookie("a", "1", "/", "example.test"));
        await using var session = new UrlSession(configuration);

        await session.ResetAsync();
        var (data, _) = await session.DataAsync(Url);

        configuration.HttpCookieStorage.Count.Should().Be(0);
        data.Should().Equal("x"u8.ToArray());
    }

    [Fact]
    public async Task FlushAsync_keeps_the_session_working()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(HttpStatusCode.OK, "text/plain", "x");
        await using var session = TestSessions.Mock(mock);
        await session.DataAsync(Url);

        await session.FlushAsync();
        var (data, _) = await session.DataAsync(Url);

        data.Should().Equal("x"u8.ToArray());
    }

    [Fact]
    public async Task A_handler_factory_returning_one_shared_handler_survives_FlushAsync()
    {
        var handler = new DisposalTrackingHandler();
        await using var session = TestSessions.Mock(handler);
        await session.DataAsync(Url);

        await session.FlushAsync();
        var load = () => session.DataAsync(Url);

        await load.Should().NotThrowAsync();
    }

    [Fact]
    public async Task A_task_running_across_FlushAsync_finishes_on_its_connection()
    {
        var mock = new MockHttpMessageHandler();
        var body = new GatedStream();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        await using var session = TestSessions.Mock(mock);
        var task = session.CreateDataTask(Url);
        task.Resume();
        await body.WaitForBlockedReadAsync(1);

        await session.FlushAsync();
        body.Feed("late"u8.ToArray());
        body.Finish();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull();
    }

    /// <summary>Behaves like a real handler: once disposed, it refuses to send.</summary>
    private sealed class DisposalTrackingHandler : HttpMessageHandler
    {
        private bool _disposed;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") });
        }

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
