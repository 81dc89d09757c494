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

    private UrlSession Session(HttpMessageHandler handler, ISessionDelegate? sessionDelegate)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpMessageHandlerFactory = () => handler;
        configuration.DownloadDirectory = _folder;
        return new UrlSession(configuration, sessionDelegate);
    }

    private sealed class BecomeDownloadDelegate : IDataTaskDelegate, IDownloadTaskDelegate
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<ResponseDisposition> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Invalidated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Collections.Concurrent.ConcurrentQueue<(SessionTask Task, UrlError? Error)> Completions { get; } = new();

        public byte[]? FinishedContent { get; private set; }

        public async ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
        {
            Asked.TrySetResult();
            return await Answer.Task.ConfigureAwait(false);
        }

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location) => FinishedContent = File.ReadAllBytes(location);

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => Completions.Enqueue((task, error));

        public void DidBecomeInvalid(UrlSession session, Exception? error) => Invalidated.TrySetResult();
    }
}
