using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

public sealed class InvalidationTests
{
    private static readonly Uri Url = new("http://example.test/slow");

    [Fact]
    public async Task FinishTasksAndInvalidate_lets_a_running_task_finish_then_sends_DidBecomeInvalid_once()
    {
        var recorder = new RecordingDelegate();
        var (session, body, task) = await GatedTransfer.StartAsync(Url, recorder);

        session.FinishTasksAndInvalidate();
        recorder.InvalidationCount.Should().Be(0);
        task.State.Should().Be(SessionTaskState.Running);
        body.Feed("rest"u8.ToArray());
        body.Finish();
        await task.Completion;
        await recorder.Invalidated.WaitAsync(TimeSpan.FromSeconds(30));
        session.FinishTasksAndInvalidate();
        session.InvalidateAndCancel();
        await session.DisposeAsync();

        task.Error.Should().BeNull();
        recorder.Data.ToArray().Should().Equal("rest"u8.ToArray());
        recorder.InvalidationCount.Should().Be(1);
        recorder.Events.Should().EndWith(["complete", "invalid"]);
    }

    [Fact]
    public async Task FinishTasksAndInvalidate_without_tasks_sends_DidBecomeInvalid()
    {
        var recorder = new RecordingDelegate();
        var session = TestSessions.Mock(new MockHttpMessageHandler(), recorder);

        session.FinishTasksAndInvalidate();
        await recorder.Invalidated.WaitAsync(TimeSpan.FromSeconds(30));

        recorder.InvalidationCount.Should().Be(1);
    }

    [Fact]
    public async Task An_invalidated_session_refuses_new_tasks()
    {
        var session = TestSessions.Mock(new MockHttpMessageHandler());
        session.FinishTasksAndInvalidate();

        var create = () => session.CreateDataTask(Url);
        var createWithHandler = () => session.CreateDataTask(Url, (_, _, _) => { });
        var load = () => session.DataAsync(Url);
        var stream = () => session.BytesAsync(Url);

        create.Should().Throw<InvalidOperationException>().WithMessage("*invalidated*");
        createWithHandler.Should().Throw<InvalidOperationException>();
        await load.Should().ThrowAsync<InvalidOperationException>();
        await stream.Should().ThrowAsync<InvalidOperationException>();
        await session.DisposeAsync();
    }

    [Fact]
    public async Task InvalidateAndCancel_cancels_running_tasks_then_invalidates()
    {
        var mock = new MockHttpMessageHandler();
        var body = new GatedStream();
        mock.When(Url.ToString()).Respond(_ => body.Response());
        var recorder = new RecordingDelegate();
        var session = TestSessions.Mock(mock, recorder);
        var running = session.CreateDataTask(Url);
        var suspended = session.CreateDataTask(Url);
        running.Resume();
        await body.WaitForBlockedReadAsync(1);

        session.InvalidateAndCancel();
        await Task.WhenAll(running.Completion, suspended.Completion).WaitAsync(TimeSpan.FromSeconds(30));
        await recorder.Invalidated.WaitAsync(TimeSpan.FromSeconds(30));

        running.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        suspended.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.CompletionCount.Should().Be(2);
        recorder.InvalidationCount.Should().Be(1);
        recorder.Events[^1].Should().Be("invalid");
        (await session.GetAllTasksAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task DisposeAsync_completes_and_cancels_tasks_never_resumed()
    {
        var mock = new MockHttpMessageHandler();
        var sent = mock.When(Url.ToString()).Respond(HttpStatusCode.OK);
        var recorder = new RecordingDelegate();
        var session = TestSessions.Mock(mock, recorder);
        var neverResumed = session.CreateDataTask(Url);

        await session.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        neverResumed.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        recorder.InvalidationCount.Should().Be(1);
        mock.GetMatchCount(sent).Should().Be(0);
        await session.DisposeAsync();
        recorder.InvalidationCount.Should().Be(1);
    }

    [Fact]
    public async Task DisposeAsync_cancels_a_task_left_suspended()
    {
        var (session, body, task) = await GatedTransfer.StartAsync(Url);
        task.Suspend();

        await session.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    [Fact]
    public async Task DisposeAsync_waits_for_a_running_task()
    {
        var (session, body, task) = await GatedTransfer.StartAsync(Url);

        var disposing = session.DisposeAsync().AsTask();
        disposing.IsCompleted.Should().BeFalse();
        body.Finish();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error.Should().BeNull();
    }

    [Fact]
    public async Task Shared_cannot_be_invalidated()
    {
        UrlSession.Shared.FinishTasksAndInvalidate();
        UrlSession.Shared.InvalidateAndCancel();
        await UrlSession.Shared.DisposeAsync();

        var task = UrlSession.Shared.CreateDataTask(new Uri("http://example.invalid/"));
        task.Cancel();
        await task.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        UrlSession.Shared.Should().BeSameAs(UrlSession.Shared);
    }

    private static readonly Uri CookieUrl = new("http://example.test/");

    private static CookieStorage StorageWithCookie()
    {
        var storage = new CookieStorage();
        storage.SetCookie(new Cookie("id", "1", "/", "example.test"));
        return storage;
    }

    [Fact]
    public async Task Invalidating_an_ephemeral_session_empties_the_stores_its_configuration_made()
    {
        var configuration = TestSessions.Configuration(new MockHttpMessageHandler());
        configuration.HttpCookieStorage!.SetCookie(new Cookie("id", "1", "/", "example.test"));
        var session = new UrlSession(configuration);

        await session.DisposeAsync();

        configuration.HttpCookieStorage.GetCookies(CookieUrl).Should().BeEmpty();
    }

    [Fact]
    public async Task Invalidating_an_ephemeral_session_leaves_a_store_the_caller_supplied()
    {
        var configuration = TestSessions.Configuration(new MockHttpMessageHandler());
        var callersCookies = StorageWithCookie();
        configuration.HttpCookieStorage = callersCookies;
        var session = new UrlSession(configuration);

        await session.DisposeAsync();

        callersCookies.GetCookies(CookieUrl).Should().ContainSingle("the store is the caller's (it may be CookieStorage.Shared), not the session's");
    }

    [Fact]
    public async Task Invalidating_an_ephemeral_session_leaves_the_stores_of_a_live_session_made_from_its_configuration()
    {
        var first = TestSessions.Mock(new MockHttpMessageHandler());
        var second = new UrlSession(first.Configuration);
        second.Configuration.HttpCookieStorage!.SetCookie(new Cookie("id", "1", "/", "example.test"));

        await first.DisposeAsync();
        second.Configuration.HttpCookieStorage!.GetCookies(CookieUrl).Should().ContainSingle("the second session still runs");
        await second.DisposeAsync();

        second.Configuration.HttpCookieStorage!.GetCookies(CookieUrl).Should().BeEmpty("the last session using them is gone");
    }
}
