using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Delegates;

/// <summary>
/// The rule: a delegate member that throws while its task runs fails that task once (Unknown, the exception inside),
/// and the session goes on; a throw no task can carry is logged at Error and counted.
/// </summary>
public sealed class DelegateExceptionRuleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-throw-").FullName;

    public static TheoryData<string> TaskEvents =>
    [
        nameof(IDataTaskDelegate.DidReceiveData),
        nameof(IDataTaskDelegate.DidReceiveResponseAsync),
        nameof(ISessionTaskDelegate.WillPerformHttpRedirectionAsync),
        nameof(ISessionTaskDelegate.DidSendBodyData),
        nameof(IDownloadTaskDelegate.DidWriteData),
        nameof(ISessionTaskDelegate.TaskIsWaitingForConnectivity),
        nameof(ISessionTaskDelegate.DidCreateTask),
    ];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(TaskEvents))]
    public async Task A_throwing_task_event_fails_exactly_that_task_once_and_the_session_goes_on(string member)
    {
        var thrower = new Thrower(member);
        var logs = new ListLoggerFactory(LogLevel.Error);
        await using var session = Session(new ScriptHandler(), thrower, logs);

        var failing = Create(session, member, "fails");
        var other = Create(session, member, "fine");
        failing.Resume();
        other.Resume();
        await Task.WhenAll(failing.Completion, other.Completion).WaitAsync(Patience);

        thrower.Thrown.Should().NotBeEmpty();
        failing.Error.Should().NotBeNull();
        failing.Error!.Code.Should().Be(UrlErrorCode.Unknown, failing.Error.ToString());
        failing.Error.InnerException.Should().BeSameAs(thrower.Thrown.First());
        failing.Error.Message.Should().Contain(member.Replace("Async", string.Empty, StringComparison.Ordinal));
        thrower.Completions(failing).Should().ContainSingle().Which.Should().BeSameAs(failing.Error);
        other.Error.Should().BeNull();
        thrower.Completions(other).Should().ContainSingle().Which.Should().BeNull();

        // Every throw is either the task's error or reported: none vanishes.
        session.Dispatcher.UnobservedFailures.Should().Be(thrower.Thrown.Count - 1);
        logs.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Exception).Should().BeEquivalentTo(thrower.Thrown);

        var after = Create(session, member, "after");
        after.Resume();
        await after.Completion.WaitAsync(Patience);
        after.Error.Should().BeNull();
    }

    [Fact]
    public async Task A_throwing_DidResumeAtOffset_fails_the_resumed_download_once()
    {
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var server = new RangeServingHandler(content) { FailAfter = 100_000 };
        var thrower = new Thrower(nameof(IDownloadTaskDelegate.DidResumeAtOffset)) { Fails = _ => true };
        await using var session = Session(server, thrower, logs: null);
        var first = session.CreateDownloadTask(new Uri("http://example.test/file.bin"), (_, _, _) => { });
        first.Resume();
        await first.Completion.WaitAsync(Patience);
        var blob = first.Error!.DownloadTaskResumeData!;

        var resumed = session.CreateDownloadTask(blob);
        var other = session.CreateDownloadTask(new Uri("http://example.test/file.bin"));
        resumed.Resume();
        other.Resume();
        await Task.WhenAll(resumed.Completion, other.Completion).WaitAsync(Patience);

        resumed.Error!.Code.Should().Be(UrlErrorCode.Unknown);
        resumed.Error.InnerException.Should().BeSameAs(thrower.Thrown.Single());
        thrower.Completions(resumed).Should().ContainSingle().Which.Should().BeSameAs(resumed.Error);
        other.Error.Should().BeNull();
        thrower.Completions(other).Should().ContainSingle().Which.Should().BeNull();
        session.Dispatcher.UnobservedFailures.Should().Be(0);
    }

    [Fact]
    public async Task A_throwing_DidComplete_is_logged_at_Error_and_counted_and_the_task_keeps_its_result()
    {
        var thrower = new Thrower(nameof(ISessionTaskDelegate.DidComplete));
        var logs = new ListLoggerFactory(LogLevel.Error);
        await using var session = Session(new ScriptHandler(), thrower, logs);

        var task = session.CreateDataTask(new Uri("http://example.test/fails"));
        await task.RunAsync();

        task.Error.Should().BeNull();
        thrower.Completions(task).Should().ContainSingle();
        session.Dispatcher.UnobservedFailures.Should().Be(1);
        logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error && e.Exception == thrower.Thrown.Single())
            .Which.Message.Should().Contain(nameof(ISessionTaskDelegate.DidComplete));
        (await session.DataAsync(new Uri("http://example.test/after"))).Data.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_throwing_DidBecomeInvalid_is_logged_at_Error_and_counted()
    {
        var thrower = new Thrower(nameof(ISessionDelegate.DidBecomeInvalid));
        var logs = new ListLoggerFactory(LogLevel.Error);
        var before = DelegateDispatcher.TotalUnobservedFailures;
        var session = Session(new ScriptHandler(), thrower, logs);
        await session.CreateDataTask(new Uri("http://example.test/fine")).RunAsync();

        await session.DisposeAsync().AsTask().WaitAsync(Patience);

        session.Dispatcher.UnobservedFailures.Should().Be(1);
        DelegateDispatcher.TotalUnobservedFailures.Should().BeGreaterThan(before);
        logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error && e.Exception == thrower.Thrown.Single())
            .Which.Message.Should().Contain(nameof(ISessionDelegate.DidBecomeInvalid));
    }

    [Fact]
    public async Task A_throwing_event_queued_after_its_task_completed_fails_nothing()
    {
        var thrower = new Thrower("none");
        var logs = new ListLoggerFactory(LogLevel.Error);
        await using var session = Session(new ScriptHandler(), thrower, logs);
        var task = session.CreateDataTask(new Uri("http://example.test/fine"));
        await task.RunAsync();
        var late = new InvalidOperationException("late progress");

        await session.Dispatcher.Post(task, nameof(IDownloadTaskDelegate.DidWriteData), static e => throw e, late).WaitAsync(Patience);

        task.Error.Should().BeNull();
        thrower.Completions(task).Should().ContainSingle().Which.Should().BeNull();
        session.Dispatcher.UnobservedFailures.Should().Be(1);
        logs.Entries.Should().ContainSingle(e => e.Exception == late);
    }

    private UrlSession Session(HttpMessageHandler handler, ISessionDelegate sessionDelegate, ILoggerFactory? logs)
    {
        return TestSessions.Mock(handler, sessionDelegate, configure: c =>
        {
            c.DownloadDirectory = _folder;
            c.WaitsForConnectivity = true;
            if (logs is not null)
            {
                c.LoggerFactory = logs;
            }
        });
    }

    private static SessionTask Create(UrlSession session, string member, string name) => member switch
    {
        nameof(ISessionTaskDelegate.DidSendBodyData) => session.CreateUploadTask(
            new UrlRequest(new Uri($"http://example.test/{name}")) { Method = HttpMethod.Post }, new byte[300_000]),
        nameof(IDownloadTaskDelegate.DidWriteData) => session.CreateDownloadTask(new UrlRequest(new Uri($"http://example.test/{name}"))),
        nameof(ISessionTaskDelegate.WillPerformHttpRedirectionAsync) => session.CreateDataTask(new Uri($"http://example.test/redirect/{name}")),
        nameof(ISessionTaskDelegate.TaskIsWaitingForConnectivity) => session.CreateDataTask(new Uri($"http://example.test/unreachable/{name}")),
        _ => session.CreateDataTask(new Uri($"http://example.test/{name}")),
    };

    /// <summary>Reads request bodies as a server would; redirects /redirect/x to /x; /unreachable/fails is never reachable.</summary>
    private sealed class ScriptHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            var path = request.RequestUri!.AbsolutePath;
            if (path == "/unreachable/fails")
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
            }

            if (path.StartsWith("/redirect/", StringComparison.Ordinal))
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.Found);
                redirect.Headers.Location = new Uri(request.RequestUri, path["/redirect".Length..]);
                return redirect;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[200_000]) };
        }
    }

    /// <summary>Implements every event; throws a fresh exception from <c>member</c> for tasks <see cref="Fails"/> picks.</summary>
    private sealed class Thrower(string member) : IDataTaskDelegate, IDownloadTaskDelegate
    {
        private readonly ConcurrentDictionary<SessionTask, ConcurrentQueue<UrlError?>> _completions = new();

        public ConcurrentQueue<Exception> Thrown { get; } = new();

        public Func<SessionTask, bool> Fails { get; init; } = task => task.OriginalRequest?.Url.AbsolutePath.EndsWith("/fails", StringComparison.Ordinal) == true;

        public UrlError?[] Completions(SessionTask task) => _completions.TryGetValue(task, out var errors) ? [.. errors] : [];

        public void DidBecomeInvalid(UrlSession session, Exception? error) => ThrowIf(nameof(DidBecomeInvalid), null);

        public void DidCreateTask(UrlSession session, SessionTask task) => ThrowIf(nameof(DidCreateTask), task);

        public void TaskIsWaitingForConnectivity(UrlSession session, SessionTask task) => ThrowIf(nameof(TaskIsWaitingForConnectivity), task);

        public ValueTask<UrlRequest?> WillPerformHttpRedirectionAsync(UrlSession session, SessionTask task, HttpUrlResponse response, UrlRequest newRequest)
        {
            ThrowIf(nameof(WillPerformHttpRedirectionAsync), task);
            return ValueTask.FromResult<UrlRequest?>(newRequest);
        }

        public void DidSendBodyData(UrlSession session, SessionTask task, long bytesSent, long totalBytesSent, long totalBytesExpectedToSend) =>
            ThrowIf(nameof(DidSendBodyData), task);

        public ValueTask<ResponseDisposition> DidReceiveResponseAsync(UrlSession session, DataTask task, UrlResponse response)
        {
            ThrowIf(nameof(DidReceiveResponseAsync), task);
            return ValueTask.FromResult(ResponseDisposition.Allow);
        }

        public void DidReceiveData(UrlSession session, DataTask task, ReadOnlyMemory<byte> data) => ThrowIf(nameof(DidReceiveData), task);

        public void DidWriteData(UrlSession session, DownloadTask task, long bytesWritten, long totalBytesWritten, long totalBytesExpectedToWrite) =>
            ThrowIf(nameof(DidWriteData), task);

        public void DidResumeAtOffset(UrlSession session, DownloadTask task, long fileOffset, long expectedTotalBytes) => ThrowIf(nameof(DidResumeAtOffset), task);

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
        {
        }

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
        {
            _completions.GetOrAdd(task, _ => new()).Enqueue(error);
            ThrowIf(nameof(DidComplete), task);
        }

        private void ThrowIf(string called, SessionTask? task)
        {
            if (called == member && (task is null || Fails(task)))
            {
                var thrown = new InvalidOperationException($"{called} bug");
                Thrown.Enqueue(thrown);
                throw thrown;
            }
        }
    }
}
