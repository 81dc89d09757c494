using System.Security.Cryptography;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Tasks;

/// <summary>ResponseDisposition.BecomeDownload: the hand-over of a data task's response to a new download task.</summary>
public sealed class BecomeDownloadTests : IDisposable
{
    private static readonly Uri Url = new("http://example.test/file.bin");
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-become-").FullName;
    private readonly byte[] _content = RandomNumberGenerator.GetBytes(100_000);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task BecomeDownload_still_works_after_FinishTasksAndInvalidate()
    {
        var observer = new BecomeDownloadDelegate();
        var session = Session(new RangeServingHandler(_content), observer);

        var dataTask = session.CreateDataTask(Url);
        dataTask.Resume();
        await observer.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The running task is allowed to finish, and taking its response over as a download is part of finishing it.
        session.FinishTasksAndInvalidate();
        observer.Answer.SetResult(ResponseDisposition.BecomeDownload);
        await observer.Invalidated.Task.WaitAsync(TimeSpan.FromSeconds(30));

        observer.Completions.Should().ContainSingle().Which.Should().Match<(SessionTask Task, UrlError? Error)>(c => c.Task is DownloadTask && c.Error == null);
        observer.FinishedContent.Should().Equal(_content);
    }

    [Fact]
    public async Task BytesAsync_whose_delegate_answers_BecomeDownload_fails_instead_of_waiting_forever()
    {
        var observer = new BecomeDownloadDelegate();
        observer.Answer.SetResult(ResponseDisposition.BecomeDownload);
        await using var session = Session(new RangeServingHandler(_content), null);

        var call = session.BytesAsync(Url, observer);

        (await call.Awaiting(c => c.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.Unknown);
    }

    [Fact]
    public async Task DataAsync_whose_delegate_answers_BecomeDownload_fails_instead_of_returning_an_empty_body()
    {
        var observer = new BecomeDownloadDelegate();
        observer.Answer.SetResult(ResponseDisposition.BecomeDownload);
        await using var session = Session(new RangeServingHandler(_content), null);

        var call = session.DataAsync(Url, observer);

        (await call.Awaiting(c => c.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<UrlError>())
            .Which.Code.Should().Be(UrlErrorCode.Unknown);
    }

    [Fact]
    public async Task Resuming_the_adopted_download_task_early_does_not_send_the_request_again()
    {
        // An inline delegate queue runs DidCreateTask while the data task is still handing its response over: the
        // earliest moment user code can see (and resume, say from GetAllTasksAsync) the new download task.
        var server = new RangeServingHandler(_content);
        var observer = new BecomeDownloadDelegate { ResumeCreatedDownloads = true };
        observer.Answer.SetResult(ResponseDisposition.BecomeDownload);
        var session = new UrlSession(TestSessions.Configuration(server, configure: c => c.DownloadDirectory = _folder), observer, new InlineScheduler());

        var dataTask = session.CreateDataTask(Url);
        dataTask.Resume();
        session.FinishTasksAndInvalidate();
        await observer.Invalidated.Task.WaitAsync(TimeSpan.FromSeconds(30));

        observer.ResumedDownloads.Should().Be(1);
        server.Requests.Should().ContainSingle("the download task takes over the data task's response; it sends nothing");
        observer.Completions.Should().ContainSingle().Which.Error.Should().BeNull();
        observer.FinishedContent.Should().Equal(_content);
    }

    [Fact]
    public async Task The_download_task_reports_the_metrics_of_the_request_the_data_task_sent()
    {
        var observer = new BecomeDownloadDelegate();
        observer.Answer.SetResult(ResponseDisposition.BecomeDownload);
        var session = Session(new RangeServingHandler(_content), observer);

        session.CreateDataTask(Url).Resume();
        session.FinishTasksAndInvalidate();
        await observer.Invalidated.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var (task, metrics) = observer.Metrics.Should().ContainSingle("the data task hands its metrics over and reports none").Subject;
        task.Should().BeOfType<DownloadTask>();
        var transaction = metrics.Transactions.Should().ContainSingle().Subject;
        transaction.Request.Url.Should().Be(Url);
        transaction.Response!.StatusCode.Should().Be(200);
        transaction.ResponseEnd.Should().BeOnOrAfter(transaction.ResponseStart!.Value);
        metrics.TaskDuration.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
    }

    private UrlSession Session(HttpMessageHandler handler, ISessionDelegate? sessionDelegate)
    {
        return TestSessions.Mock(handler, sessionDelegate, configure: c => c.DownloadDirectory = _folder);
    }

    private sealed class BecomeDownloadDelegate : IDataTaskDelegate, IDownloadTaskDelegate
    {
        private int _resumedDownloads;

        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<ResponseDisposition> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Invalidated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool ResumeCreatedDownloads { get; init; }

        public int ResumedDownloads => Volatile.Read(ref _resumedDownloads);

        public System.Collections.Concurrent.ConcurrentQueue<(SessionTask Task, UrlError? Error)> Completions { get; } = new();

        public byte[]? FinishedContent { get; private set; }

        public void DidCreateTask(UrlSession session, SessionTask task)
        {
            if (ResumeCreatedDownloads && task is DownloadTask)
            {
                Interlocked.Increment(ref _resumedDownloads);
                task.Resume();
            }
        }

        public async ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
        {
            Asked.TrySetResult();
            return await Answer.Task.ConfigureAwait(false);
        }

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location) => FinishedContent = File.ReadAllBytes(location);

        public System.Collections.Concurrent.ConcurrentQueue<(SessionTask Task, TaskMetrics Metrics)> Metrics { get; } = new();

        public void DidFinishCollectingMetrics(UrlSession session, SessionTask task, TaskMetrics metrics) => Metrics.Enqueue((task, metrics));

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => Completions.Enqueue((task, error));

        public void DidBecomeInvalid(UrlSession session, Exception? error) => Invalidated.TrySetResult();
    }
}
