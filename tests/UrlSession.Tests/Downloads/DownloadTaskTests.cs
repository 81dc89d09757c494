using System.Security.Cryptography;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Downloads;

public sealed class DownloadTaskTests : IDisposable
{
    private static readonly Uri Url = new("http://example.test/file.bin");
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-download-").FullName;
    private readonly byte[] _content = RandomNumberGenerator.GetBytes(600_000);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Delegate_gets_the_file_which_is_deleted_after_the_callback()
    {
        var server = new RangeServingHandler(_content);
        var observer = new DownloadObserver();
        await using var session = Session(server, observer);

        var task = session.CreateDownloadTask(Url);
        task.Resume();
        await task.Completion;

        task.Error.Should().BeNull();
        observer.FinishedContent.Should().Equal(_content);
        File.Exists(observer.FinishedLocation).Should().BeFalse("the file is deleted once DidFinishDownloading returns");
        observer.Totals.Should().BeInAscendingOrder().And.NotBeEmpty();
        observer.Totals[^1].Should().Be(_content.Length);
        observer.Increments.Sum().Should().Be(_content.Length);
        observer.Expected.Should().AllSatisfy(e => e.Should().Be(_content.Length));
        task.CountOfBytesReceived.Should().Be(_content.Length);
        task.Progress.FractionCompleted.Should().Be(1);
    }

    [Fact]
    public async Task Completion_handler_sees_the_file_which_is_deleted_afterwards()
    {
        var server = new RangeServingHandler(_content);
        await using var session = Session(server, null);
        var seen = new TaskCompletionSource<(string? Location, byte[]? Content)>();

        var task = session.CreateDownloadTask(Url, (location, _, _) => seen.SetResult((location, location is null ? null : File.ReadAllBytes(location))));
        task.Resume();
        await task.Completion;
        var (location, content) = await seen.Task;

        content.Should().Equal(_content);
        File.Exists(location).Should().BeFalse();
    }

    [Fact]
    public async Task DownloadAsync_hands_the_file_to_the_caller()
    {
        await using var session = Session(new RangeServingHandler(_content), null);

        var (location, response) = await session.DownloadAsync(Url);

        File.ReadAllBytes(location).Should().Equal(_content);
        response.ExpectedContentLength.Should().Be(_content.Length);
    }

    [Fact]
    public async Task Pause_produces_resume_data_and_resuming_appends_at_the_offset()
    {
        var server = new RangeServingHandler(_content) { PauseAfter = 200_000 };
        var observer = new DownloadObserver();
        await using var session = Session(server, observer);

        var first = session.CreateDownloadTask(Url);
        first.Resume();
        await server.Paused.Task;
        await WaitUntil(() => first.CountOfBytesReceived == 200_000);
        var blob = await first.CancelByProducingResumeDataAsync();

        blob.Should().NotBeNull();
        first.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        Directory.GetFiles(_folder).Should().ContainSingle("the partial file is kept for the blob");

        var second = session.CreateDownloadTask(blob!);
        second.Resume();
        await second.Completion;

        second.Error.Should().BeNull();
        observer.FinishedContent.Should().Equal(_content);
        observer.ResumedAt.Should().Equal(200_000);
        var resumeRequest = server.Requests.Last();
        resumeRequest.Headers.Range!.ToString().Should().Be("bytes=200000-");
        resumeRequest.Headers.IfRange!.ToString().Should().Be("\"v1\"");
        resumeRequest.Headers.AcceptEncoding.ToString().Should().Be("identity", "the range must count bytes of the file, not of a coding");
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Pause_without_validators_gives_no_resume_data_and_removes_the_partial_file()
    {
        var server = new RangeServingHandler(_content) { PauseAfter = 100_000, SendValidators = false };
        await using var session = Session(server, new DownloadObserver());

        var task = session.CreateDownloadTask(Url);
        task.Resume();
        await server.Paused.Task;
        await WaitUntil(() => task.CountOfBytesReceived == 100_000);
        var blob = await task.CancelByProducingResumeDataAsync();

        blob.Should().BeNull();
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Dropped_connection_fails_with_resume_data_that_completes_the_file()
    {
        var server = new RangeServingHandler(_content) { FailAfter = 300_000 };
        await using var session = Session(server, null);

        var act = () => session.DownloadAsync(Url);
        var error = (await act.Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        error.DownloadTaskResumeData.Should().NotBeNull();
        var (location, _) = await session.DownloadAsync(error.DownloadTaskResumeData!);
        File.ReadAllBytes(location).Should().Equal(_content);
    }

    [Fact]
    public async Task Resume_that_cannot_connect_keeps_the_partial_file_and_gives_the_blob_back()
    {
        var server = new RangeServingHandler(_content) { FailAfter = 250_000 };
        await using var session = Session(server, null);
        var blob = await FailedDownloadBlob(session);
        server.RefuseNext = true;

        var act = () => session.DownloadAsync(blob);
        var error = (await act.Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.CannotConnectToHost);
        error.DownloadTaskResumeData.Should().NotBeNull();
        var (location, _) = await session.DownloadAsync(error.DownloadTaskResumeData!);
        File.ReadAllBytes(location).Should().Equal(_content);
    }

    [Fact]
    public async Task Plain_cancel_deletes_the_partial_file()
    {
        var server = new RangeServingHandler(_content) { PauseAfter = 100_000 };
        await using var session = Session(server, null);

        var task = session.CreateDownloadTask(Url, (_, _, _) => { });
        task.Resume();
        await server.Paused.Task;
        await WaitUntil(() => task.CountOfBytesReceived == 100_000);
        task.Cancel();
        await task.Completion;

        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.Error.DownloadTaskResumeData.Should().BeNull();
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Download_folder_that_cannot_be_created_fails_with_CannotCreateFile()
    {
        var blocker = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where the download folder should be");
        await using var session = TestSessions.Mock(() => new RangeServingHandler(_content), configure: c => c.DownloadDirectory = Path.Combine(blocker, "downloads"));

        var act = () => session.DownloadAsync(Url);

        var error = (await act.Should().ThrowAsync<UrlError>()).Which;
        error.Code.Should().Be(UrlErrorCode.CannotCreateFile);
        error.Message.Should().Contain("downloads");
        File.ReadAllText(blocker).Should().StartWith("a file where");
    }

    [Theory]
    [InlineData("ignore-range")]
    [InlineData("validator-changed")]
    [InlineData("wrong-content-range")]
    public async Task Resume_starts_over_from_zero_when_the_server_cannot_continue(string misbehaviour)
    {
        var server = new RangeServingHandler(_content) { FailAfter = 250_000 };
        var observer = new DownloadObserver();
        await using var session = Session(server, observer);
        var blob = await FailedDownloadBlob(session);
        var changed = RandomNumberGenerator.GetBytes(_content.Length);
        switch (misbehaviour)
        {
            case "ignore-range":
                server.IgnoreRange = true;
                break;
            case "validator-changed":
                server.ETag = "\"v2\"";
                break;
            default:
                server.WrongRangeStart = 1234;
                break;
        }

        var task = session.CreateDownloadTask(blob);
        task.Resume();
        await task.Completion;

        task.Error.Should().BeNull();
        observer.FinishedContent.Should().Equal(_content, "never a spliced file");
        observer.ResumedAt.Should().Equal(0);
        _ = changed;
    }

    [Fact]
    public async Task A_206_whose_ETag_differs_from_the_blobs_is_never_spliced()
    {
        var server = new RangeServingHandler(_content) { FailAfter = 250_000 };
        var observer = new DownloadObserver();
        await using var session = Session(server, observer);
        var blob = await FailedDownloadBlob(session);
        var changed = RandomNumberGenerator.GetBytes(_content.Length);
        server.Content = changed;
        server.ETag = "\"v2\"";
        server.IgnoreIfRange = true;

        var task = session.CreateDownloadTask(blob);
        task.Resume();
        await task.Completion;

        task.Error.Should().BeNull();
        observer.FinishedContent.Should().Equal(changed, "the 206 is of another version of the file: its bytes do not continue ours");
        observer.ResumedAt.Should().Equal(0);
    }

    [Fact]
    public async Task A_206_that_stops_short_of_the_end_never_ends_as_a_truncated_file()
    {
        var server = new RangeServingHandler(_content) { FailAfter = 250_000 };
        var observer = new DownloadObserver();
        await using var session = Session(server, observer);
        var blob = await FailedDownloadBlob(session);
        server.ShortRangeEnd = 399_999;

        var task = session.CreateDownloadTask(blob);
        task.Resume();
        await task.Completion;

        task.Error.Should().BeNull();
        observer.FinishedContent.Should().Equal(_content, "a 206 for part of the rest is not the rest of the file");
        observer.ResumedAt.Should().Equal(0);
    }

    [Fact]
    public async Task BecomeDownload_turns_a_data_task_into_a_download_task()
    {
        var observer = new DownloadObserver { BecomeDownload = true };
        await using var session = Session(new RangeServingHandler(_content), observer);

        var dataTask = session.CreateDataTask(Url);
        dataTask.Resume();
        await dataTask.Completion;
        await observer.Finished.Task;

        observer.BecameDownload.Should().NotBeNull();
        observer.FinishedContent.Should().Equal(_content);
        observer.DataCompletions.Should().NotContain(dataTask.TaskIdentifier, "a data task that became a download reports no completion");
    }

    [Fact]
    public async Task A_data_task_cancelled_before_its_BecomeDownload_answer_completes_cancelled_and_downloads_nothing()
    {
        var observer = new DownloadObserver { BecomeDownload = true, CancelBeforeAnswering = true };
        var server = new RangeServingHandler(_content);
        await using var session = Session(server, observer);

        var dataTask = session.CreateDataTask(Url);
        dataTask.Resume();
        await dataTask.Completion;
        await session.Dispatcher.Drained;

        dataTask.Error?.Code.Should().Be(UrlErrorCode.Cancelled);
        observer.DataCompletions.Should().Contain(dataTask.TaskIdentifier, "a cancelled task reports its completion");
        observer.BecameDownload.Should().BeNull("the task was cancelled before it could become a download");
        observer.FinishedContent.Should().BeNull();
        Directory.GetFiles(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Resuming_the_download_a_data_task_became_from_DidBecomeDownloadTask_sends_no_second_request()
    {
        var observer = new DownloadObserver { BecomeDownload = true, ResumeBecameDownload = true };
        var server = new RangeServingHandler(_content);
        var configuration = TestSessions.Configuration(server, configure: c => c.DownloadDirectory = _folder);

        // Events run as soon as they are queued: DidBecomeDownloadTask runs before the data task goes on.
        await using var session = new UrlSession(configuration, observer, new InlineScheduler());

        var dataTask = session.CreateDataTask(Url);
        dataTask.Resume();
        await dataTask.Completion;
        await observer.BecameDownload!.Completion;

        server.Requests.Should().ContainSingle("the download carries on with the data task's response");
        observer.FinishedCount.Should().Be(1);
        observer.FinishedContent.Should().Equal(_content);
    }

    [Fact]
    public async Task Pausing_a_resumed_download_before_its_first_new_byte_keeps_the_partial_file_and_gives_a_blob()
    {
        var server = new RangeServingHandler(_content) { FailAfter = 250_000 };
        var handler = new SlowOpeningHandler(server);
        await using var session = Session(handler, null);
        var blob = await FailedDownloadBlob(session);
        handler.Armed = true;

        var task = session.CreateDownloadTask(blob, (_, _, _) => { });
        task.Resume();
        await handler.Opening.Task;
        var paused = await task.CancelByProducingResumeDataAsync();

        paused.Should().NotBeNull("the 250 000 bytes on disk still continue the file");
        handler.Armed = false;
        var (location, _) = await session.DownloadAsync(paused!);
        File.ReadAllBytes(location).Should().Equal(_content);
    }

    private async Task<byte[]> FailedDownloadBlob(UrlSession session)
    {
        var task = session.CreateDownloadTask(Url, (_, _, _) => { });
        task.Resume();
        await task.Completion;
        task.Error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        return task.Error.DownloadTaskResumeData!;
    }

    private UrlSession Session(HttpMessageHandler handler, ISessionDelegate? sessionDelegate)
    {
        return TestSessions.Mock(handler, sessionDelegate, configure: c => c.DownloadDirectory = _folder);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Yield();
        }
    }

    private sealed class DownloadObserver : IDownloadTaskDelegate, IDataTaskDelegate
    {
        public bool BecomeDownload { get; init; }

        public bool CancelBeforeAnswering { get; init; }

        public bool ResumeBecameDownload { get; init; }

        public int FinishedCount { get; private set; }

        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[]? FinishedContent { get; private set; }

        public string? FinishedLocation { get; private set; }

        public List<long> Increments { get; } = [];

        public List<long> Totals { get; } = [];

        public List<long> Expected { get; } = [];

        public List<long> ResumedAt { get; } = [];

        public List<long> DataCompletions { get; } = [];

        public DownloadTask? BecameDownload { get; private set; }

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
        {
            FinishedCount++;
            FinishedLocation = location;
            FinishedContent = File.ReadAllBytes(location);
            Finished.TrySetResult();
        }

        public void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite)
        {
            Increments.Add(bytesWritten);
            Totals.Add(totalBytesWritten);
            Expected.Add(totalBytesExpectedToWrite);
        }

        public void DidResumeAtOffset(UrlSession session, DownloadTask task, long fileOffset, long expectedTotalBytes) => ResumedAt.Add(fileOffset);

        public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
        {
            if (CancelBeforeAnswering)
            {
                task.Cancel();
            }

            return ValueTask.FromResult(BecomeDownload ? ResponseDisposition.BecomeDownload : ResponseDisposition.Allow);
        }

        public void DidBecomeDownloadTask(UrlSession session, DataTask dataTask, DownloadTask downloadTask)
        {
            BecameDownload = downloadTask;
            if (ResumeBecameDownload)
            {
                downloadTask.Resume();
            }
        }

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
        {
            if (task is DataTask)
            {
                DataCompletions.Add(task.TaskIdentifier);
            }
        }
    }

    /// <summary>When armed, a response's body cannot be opened until the task is cancelled (a body slow to start).</summary>
    private sealed class SlowOpeningHandler(HttpMessageHandler inner) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _inner = new(inner);

        public bool Armed { get; set; }

        public TaskCompletionSource Opening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await _inner.SendAsync(request, cancellationToken);
            if (Armed)
            {
                var gated = new NeverOpeningContent(response.Content, Opening);
                foreach (var header in response.Content.Headers)
                {
                    gated.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                response.Content = gated;
            }

            return response;
        }

        protected override void Dispose(bool disposing)
        {
            _inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class NeverOpeningContent(HttpContent inner, TaskCompletionSource opening) : HttpContent
    {
        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        {
            opening.TrySetResult();
            await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
            return await inner.ReadAsStreamAsync(cancellationToken);
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
