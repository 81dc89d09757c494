using System.Security.Cryptography;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Sessions;

/// <summary>What GetAllTasksAsync shows while tasks complete, hand over and the session is invalidated.</summary>
public sealed class RegistryVisibilityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-visible-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_data_task_that_became_a_download_is_no_longer_listed_once_it_handed_over()
    {
        // The data task leaves the registry only when its own run unwinds, after the download completed: the list must
        // not show it in between (the flake: a test saw it listed after the adopted task's completion).
        var content = RandomNumberGenerator.GetBytes(10_000);
        var observer = new ListingDelegate();
        await using var session = TestSessions.Mock(() => new RangeServingHandler(content), observer, configure: c => c.DownloadDirectory = _folder);
        observer.Session = session;

        var dataTask = session.CreateDataTask(new Uri("http://example.test/file.bin"));
        dataTask.Resume();
        var listed = await observer.ListedAtDownloadCompletion.Task.WaitAsync(TimeSpan.FromSeconds(30));

        listed.Should().BeEmpty("the download is completing and the data task handed over");
        observer.ListedAtBecomeDownload.Should().NotContain(dataTask);
    }

    [Fact]
    public async Task A_completed_task_is_not_listed_even_while_its_last_events_are_delivered()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(System.Net.HttpStatusCode.OK);
        var observer = new ListingDelegate();
        await using var session = TestSessions.Mock(mock, observer);
        observer.Session = session;

        var task = session.CreateDataTask(new Uri("http://example.test/"));
        await task.RunAsync();

        observer.ListedAtCompletion.Should().NotContain(task);
    }

    [Fact]
    public void Once_closed_for_cancelling_the_registry_refuses_new_tasks_and_tells_adopted_ones_to_cancel()
    {
        var session = new UrlSession(SessionConfiguration.Ephemeral);
        var registry = new TaskRegistry();
        var running = session.CreateDataTask(new Uri("http://127.0.0.1:9/a"));
        registry.TryAdd(running).Should().BeTrue();

        var closed = registry.CloseAndCancelAll();
        var late = session.CreateDataTask(new Uri("http://127.0.0.1:9/b"));
        var adopted = session.CreateDataTask(new Uri("http://127.0.0.1:9/c"));

        closed.Should().Equal(running);
        registry.TryAdd(late, out _).Should().BeFalse();
        registry.TryAdd(adopted, out var mustCancel, whileClosing: true).Should().BeTrue();
        mustCancel.Should().BeTrue();
        session.InvalidateAndCancel();
    }

    [Fact]
    public async Task Tasks_created_while_InvalidateAndCancel_runs_are_refused_or_cancelled_and_invalidation_always_ends()
    {
        // A race, so run it many times: before the fix a task created between the snapshot and the close was neither
        // refused nor cancelled, and invalidation waited on it forever (a hanging server keeps it running).
        for (var round = 0; round < 100; round++)
        {
            var hanging = new HangingHandler();
            var session = TestSessions.Mock(hanging);

            // Many tasks to cancel widen the window between the snapshot and the close that the old order had.
            for (var i = 0; i < 100; i++)
            {
                session.CreateDataTask(new Uri($"http://example.test/early/{i}"));
            }

            using var go = new ManualResetEventSlim();
            var creator = Task.Run(() =>
            {
                go.Wait();
                for (var i = 0; i < 1000; i++)
                {
                    try
                    {
                        session.CreateDataTask(new Uri($"http://example.test/{i}")).Resume();
                    }
                    catch (InvalidOperationException)
                    {
                        return;
                    }
                }
            });

            go.Set();
            session.InvalidateAndCancel();
            await creator;
            await session.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class ListingDelegate : IDataTaskDelegate, IDownloadTaskDelegate
    {
        public UrlSession? Session { get; set; }

        public TaskCompletionSource<IReadOnlyList<SessionTask>> ListedAtDownloadCompletion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<SessionTask> ListedAtBecomeDownload { get; private set; } = [];

        public IReadOnlyList<SessionTask> ListedAtCompletion { get; private set; } = [];

        public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response) =>
            ValueTask.FromResult(task is not UploadTask && response.Url.AbsolutePath.EndsWith(".bin", StringComparison.Ordinal) ? ResponseDisposition.BecomeDownload : ResponseDisposition.Allow);

        public void DidBecomeDownloadTask(UrlSession session, DataTask dataTask, DownloadTask downloadTask) =>
            ListedAtBecomeDownload = session.GetAllTasksAsync().Result;

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
        {
        }

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
        {
            var listed = session.GetAllTasksAsync().Result;
            ListedAtCompletion = listed;
            if (task is DownloadTask)
            {
                ListedAtDownloadCompletion.TrySetResult(listed);
            }
        }
    }
}
