using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Engine;

public sealed class TaskSpecTests : IDisposable
{
    private static readonly Uri Url = new("http://example.test/items/1?q=a%20b");
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-spec-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Every_field_survives_the_round_trip()
    {
        await using var session = Session(new WireRecorder());
        var request = new UrlRequest(Url)
        {
            Method = HttpMethod.Put,
            Headers = HeaderList.From([new("X-Trace", "1"), new("Accept", "application/json"), new("x-trace", "2")]),
            Body = RequestBody.FromBytes("payload"u8.ToArray()),
            CachePolicy = RequestCachePolicy.ReloadRevalidatingCacheData,
            TimeoutInterval = TimeSpan.FromSeconds(42.5),
            HttpShouldHandleCookies = false,
        };
        var task = session.CreateDataTask(request);
        task.TaskDescription = "nightly sync";
        task.Priority = 0.75f;
        task.EarliestBeginDate = new DateTimeOffset(2031, 2, 3, 4, 5, 6, 789, TimeSpan.FromHours(2));

        var spec = TaskSpec.From(task);
        var read = TaskSpec.Deserialize(spec.Serialize());

        read.Should().BeEquivalentTo(spec);
        read.Version.Should().Be(TaskSpec.CurrentVersion);
        read.Kind.Should().Be(TaskSpecKind.Data);
        read.TaskIdentifier.Should().Be(task.TaskIdentifier);
        read.TaskDescription.Should().Be("nightly sync");
        read.Priority.Should().Be(0.75f);
        read.EarliestBeginDate.Should().Be(task.EarliestBeginDate);
        read.EarliestBeginDate!.Value.Offset.Should().Be(TimeSpan.FromHours(2));
        read.ResumeData.Should().BeNull();
        var rebuilt = read.ToRequest();
        rebuilt.Should().BeEquivalentTo(request, o => o.Excluding(r => r.Body));
        rebuilt.Should().Be(request with { Body = rebuilt.Body }, "UrlRequest's own equality agrees (bodies compare by reference)");
        ((BytesRequestBody)rebuilt.Body!).Bytes.ToArray().Should().Equal("payload"u8.ToArray());
    }

    [Fact]
    public async Task A_plain_get_round_trips_and_leaves_unset_fields_out()
    {
        await using var session = Session(new WireRecorder());
        var task = session.CreateDataTask(Url);

        var bytes = TaskSpec.From(task).Serialize();
        var read = TaskSpec.Deserialize(bytes);

        Encoding.UTF8.GetString(bytes).Should().StartWith("{\"version\":1,").And.NotContain("null");
        read.ToRequest().Should().Be(new UrlRequest(Url));
        read.Priority.Should().Be(0.5f);
        read.TaskDescription.Should().BeNull();
        read.EarliestBeginDate.Should().BeNull();
    }

    [Fact]
    public async Task Headers_keep_their_order_case_and_repeated_names()
    {
        await using var session = Session(new WireRecorder());
        KeyValuePair<string, string>[] fields =
        [
            new("X-B", "first"), new("Accept", "a/b"), new("x-b", "second"), new("X-A", ""), new("X-B", "third, with comma"),
        ];
        var task = session.CreateDataTask(new UrlRequest(Url) { Headers = HeaderList.From(fields) });

        var rebuilt = TaskSpec.Deserialize(TaskSpec.From(task).Serialize()).ToRequest();

        rebuilt.Headers.Should().Equal(fields);
        rebuilt.Headers.GetValues("X-B").Should().Equal("first", "second", "third, with comma");
    }

    [Fact]
    public async Task A_file_body_is_described_by_path_not_by_content()
    {
        var path = Path.Combine(_folder, "upload.json");
        await File.WriteAllTextAsync(path, "{\"secret-content\":1}");
        await using var session = Session(new WireRecorder());
        var task = session.CreateUploadTask(new UrlRequest(Url) { Method = HttpMethod.Post }, path);

        var bytes = TaskSpec.From(task).Serialize();
        var read = TaskSpec.Deserialize(bytes);

        read.Kind.Should().Be(TaskSpecKind.Upload);
        read.Request.Body!.FilePath.Should().Be(path);
        read.Request.Body.FileLength.Should().Be(new FileInfo(path).Length);
        read.Request.Body.Bytes.Should().BeNull();
        Encoding.UTF8.GetString(bytes).Should().NotContain("secret-content");
        read.ToRequest().Body.Should().BeOfType<FileRequestBody>().Which.FilePath.Should().Be(path);
    }

    [Fact]
    public async Task A_bytes_body_round_trips_byte_for_byte()
    {
        var body = RandomNumberGenerator.GetBytes(70_000);
        await using var session = Session(new WireRecorder());
        var task = session.CreateUploadTask(new UrlRequest(Url) { Method = HttpMethod.Post }, body);

        var read = TaskSpec.Deserialize(TaskSpec.From(task).Serialize());

        read.Kind.Should().Be(TaskSpecKind.Upload);
        read.Request.Body!.Bytes.Should().Equal(body);
        read.Request.Body.FilePath.Should().BeNull();
        ((BytesRequestBody)read.ToRequest().Body!).Bytes.ToArray().Should().Equal(body);
    }

    [Fact]
    public async Task A_download_from_resume_data_keeps_its_blob_and_resumes_from_the_spec()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        var partial = Path.Combine(_folder, "partial.tmp");
        await File.WriteAllBytesAsync(partial, content[..1200]);
        var resume = new ResumeData(Url, "GET", [new("X-Resume", "yes")], 1200, "\"v1\"", null, content.Length, partial);
        var server = new RangeServingHandler(content);
        var finished = new FinishedDownloads();
        await using var session = Session(server, finished);
        var original = session.CreateDownloadTask(resume.Encode());
        original.TaskDescription = "resumed";

        var read = TaskSpec.Deserialize(TaskSpec.From(original).Serialize());

        read.Kind.Should().Be(TaskSpecKind.Download);
        ResumeData.Decode(read.ResumeData).Should().BeEquivalentTo(resume);
        read.ToRequest().Should().Be(original.OriginalRequest);

        var task = (DownloadTask)session.CreateTask(read);
        task.TaskDescription.Should().Be("resumed");
        task.OriginalRequest.Should().Be(original.OriginalRequest);
        await task.RunAsync();

        task.Error.Should().BeNull();
        server.Requests.Should().ContainSingle().Which.Headers.Range!.ToString().Should().Be("bytes=1200-");
        finished.Contents.Should().ContainSingle().Which.Should().Equal(content);
        original.Cancel();
    }

    [Fact]
    public async Task A_task_whose_body_is_a_stream_cannot_be_described()
    {
        await using var session = Session(new WireRecorder());
        using var stream = new MemoryStream([1, 2, 3]);
        var upload = session.CreateUploadTask(new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromStream(stream, 3) });
        var data = session.CreateDataTask(new UrlRequest(Url) { Method = HttpMethod.Post, Body = RequestBody.FromStream(stream) });

        foreach (var task in new SessionTask[] { upload, data })
        {
            var describe = () => TaskSpec.From(task);
            describe.Should().Throw<ArgumentException>()
                .WithMessage("*body is a stream cannot be described*RequestBody.FromBytes*RequestBody.FromFile*")
                .And.ParamName.Should().Be("task");
        }
    }

    [Fact]
    public async Task A_download_whose_resume_data_was_unreadable_cannot_be_described()
    {
        await using var session = Session(new WireRecorder());
        var task = session.CreateDownloadTask("not resume data"u8.ToArray());

        var describe = () => TaskSpec.From(task);

        describe.Should().Throw<ArgumentException>().WithMessage("*resume data could not be read*");
    }

    public static TheoryData<string> WireKinds => ["data-get", "data-post-bytes", "upload-bytes", "upload-file", "download"];

    [Theory]
    [MemberData(nameof(WireKinds))]
    public async Task A_task_made_from_the_bytes_of_a_spec_sends_the_same_request_on_the_wire(string kind)
    {
        var path = Path.Combine(_folder, "body.bin");
        await File.WriteAllBytesAsync(path, RandomNumberGenerator.GetBytes(3000));
        var recorder = new WireRecorder();
        await using var session = Session(recorder);
        var request = new UrlRequest(Url)
        {
            Headers = HeaderList.From([new("X-Dup", "1"), new("Authorization", "Bearer t"), new("X-Dup", "2")]),
            CachePolicy = RequestCachePolicy.ReloadIgnoringLocalCacheData,
        };
        SessionTask original = kind switch
        {
            "data-get" => session.CreateDataTask(request),
            "data-post-bytes" => session.CreateDataTask(request with { Method = HttpMethod.Post, Body = RequestBody.FromBytes("a=1&b=2"u8.ToArray()) }),
            "upload-bytes" => session.CreateUploadTask(request with { Method = HttpMethod.Put }, RandomNumberGenerator.GetBytes(2000)),
            "upload-file" => session.CreateUploadTask(request with { Method = HttpMethod.Post }, path),
            _ => session.CreateDownloadTask(request),
        };
        original.Priority = 0.1f;
        var spec = TaskSpec.Deserialize(TaskSpec.From(original).Serialize());

        var copy = session.CreateTask(spec);
        await original.RunAsync();
        await copy.RunAsync();

        copy.GetType().Should().Be(original.GetType());
        copy.TaskIdentifier.Should().NotBe(original.TaskIdentifier);
        copy.Priority.Should().Be(0.1f);
        original.Error.Should().BeNull();
        copy.Error.Should().BeNull();
        var wire = recorder.Requests.ToArray();
        wire.Should().HaveCount(2);
        wire[1].Should().BeEquivalentTo(wire[0], o => o.WithStrictOrdering());
        wire[0].Headers.Should().Contain("X-Dup: 1, 2");
    }

    [Fact]
    public async Task A_task_made_from_a_spec_is_announced_with_its_settings_already_applied()
    {
        var announced = new TaskCompletionSource<(string?, float, DateTimeOffset?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        // An inline delegate queue runs DidCreateTask inside CreateTask: settings applied after announcing would be missed.
        await using var session = Session(new WireRecorder(), new CreationWatcher(announced), new InlineScheduler());
        var begin = DateTimeOffset.UtcNow.AddYears(1);
        var spec = new TaskSpec
        {
            Kind = TaskSpecKind.Download,
            TaskDescription = "from the agent",
            Priority = 0.9f,
            EarliestBeginDate = begin,
            Request = RequestSpec.From(new UrlRequest(Url)),
        };

        var task = session.CreateTask(spec);

        task.Should().BeOfType<DownloadTask>();
        task.State.Should().Be(SessionTaskState.Suspended);
        announced.Task.IsCompleted.Should().BeTrue();
        (await announced.Task).Should().Be(("from the agent", 0.9f, begin));
        task.Cancel();
    }

    [Fact]
    public void A_spec_describes_every_setting_of_UrlRequest()
    {
        // A setting added to UrlRequest must be added to RequestSpec too, or tasks made from specs silently lose it.
        var requestSettings = typeof(UrlRequest).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => p.Name);
        var described = typeof(RequestSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);

        described.Should().BeEquivalentTo(requestSettings);
    }

    [Fact]
    public async Task A_spec_built_in_code_with_a_request_that_cannot_be_is_refused_by_CreateTask()
    {
        await using var session = Session(new WireRecorder());
        var spec = new TaskSpec { Kind = TaskSpecKind.Data, Request = RequestSpec.From(new UrlRequest(Url)) };
        var bad = new TaskSpec { Kind = TaskSpecKind.Data, Request = new RequestSpec { Url = Url, Method = "G E T", Headers = [] } };

        session.CreateTask(spec).Cancel();
        var create = () => session.CreateTask(bad);

        create.Should().Throw<UrlError>().Which.Code.Should().Be(UrlErrorCode.CannotDecodeRawData);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "empty", "" },
        { "not json", "hello" },
        { "json null", "null" },
        { "an array", "[1]" },
        { "no version", Json().Replace("\"version\":1,", "", StringComparison.Ordinal) },
        { "version 2", Json().Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal) },
        { "version 0", Json().Replace("\"version\":1", "\"version\":0", StringComparison.Ordinal) },
        { "version as text", Json().Replace("\"version\":1", "\"version\":\"1\"", StringComparison.Ordinal) },
        { "unknown kind", Json().Replace("\"Data\"", "\"Stream\"", StringComparison.Ordinal) },
        { "kind by undefined number", Json().Replace("\"Data\"", "7", StringComparison.Ordinal) },
        { "missing kind", Json().Replace("\"kind\":\"Data\",", "", StringComparison.Ordinal) },
        { "missing request", "{\"version\":1,\"kind\":\"Data\"}" },
        { "null request", "{\"version\":1,\"kind\":\"Data\",\"request\":null}" },
        { "unknown member", Json().Replace("\"version\":1,", "\"version\":1,\"extra\":true,", StringComparison.Ordinal) },
        { "repeated member", Json().Replace("\"version\":1,", "\"version\":1,\"taskIdentifier\":4,", StringComparison.Ordinal) },
        { "null method", Json().Replace("\"GET\"", "null", StringComparison.Ordinal) },
        { "invalid method", Json().Replace("\"GET\"", "\"G E T\"", StringComparison.Ordinal) },
        { "empty header name", Json().Replace("\"headers\":[]", "\"headers\":[{\"name\":\"\",\"value\":\"v\"}]", StringComparison.Ordinal) },
        { "null header value", Json().Replace("\"headers\":[]", "\"headers\":[{\"name\":\"A\",\"value\":null}]", StringComparison.Ordinal) },
        { "null header", Json().Replace("\"headers\":[]", "\"headers\":[null]", StringComparison.Ordinal) },
        { "negative timeout", Json().Replace("\"headers\":[]", "\"headers\":[],\"timeoutInterval\":\"-00:00:01\"", StringComparison.Ordinal) },
        { "undefined cache policy", Json().Replace("\"headers\":[]", "\"headers\":[],\"cachePolicy\":99", StringComparison.Ordinal) },
        { "body with bytes and file", Json().Replace("\"headers\":[]", "\"headers\":[],\"body\":{\"bytes\":\"AAE=\",\"filePath\":\"/tmp/x\"}", StringComparison.Ordinal) },
        { "body with neither", Json().Replace("\"headers\":[]", "\"headers\":[],\"body\":{}", StringComparison.Ordinal) },
        { "body with an empty path", Json().Replace("\"headers\":[]", "\"headers\":[],\"body\":{\"filePath\":\"\"}", StringComparison.Ordinal) },
        { "relative file path", Json().Replace("\"headers\":[]", "\"headers\":[],\"body\":{\"filePath\":\"x/body.bin\"}", StringComparison.Ordinal) },
        { "negative file length", Json().Replace("\"headers\":[]", "\"headers\":[],\"body\":{\"filePath\":\"/tmp/x\",\"fileLength\":-1}", StringComparison.Ordinal) },
        { "bytes that are not base64", Json().Replace("\"headers\":[]", "\"headers\":[],\"body\":{\"bytes\":\"***\"}", StringComparison.Ordinal) },
        { "priority above 1", Json().Replace("\"priority\":0.5", "\"priority\":1.5", StringComparison.Ordinal) },
        { "priority as NaN", Json().Replace("\"priority\":0.5", "\"priority\":\"NaN\"", StringComparison.Ordinal) },
        { "resume data for a data task", Json().Replace("\"version\":1,", "\"version\":1,\"resumeData\":\"AAE=\",", StringComparison.Ordinal) },
        { "upload without a body", Json().Replace("\"Data\"", "\"Upload\"", StringComparison.Ordinal) },
        { "bad begin date", Json().Replace("\"priority\":0.5", "\"priority\":0.5,\"earliestBeginDate\":\"tomorrow\"", StringComparison.Ordinal) },
        { "bad url", Json().Replace("\"http://example.test/items/1?q=a%20b\"", "\"http://[::1\"", StringComparison.Ordinal) },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Garbage_and_other_versions_are_refused_with_CannotDecodeRawData(string why, string json)
    {
        var read = () => TaskSpec.Deserialize(Encoding.UTF8.GetBytes(json));

        read.Should().Throw<UrlError>(why)
            .Which.Code.Should().Be(UrlErrorCode.CannotDecodeRawData);
        read.Should().Throw<UrlError>().WithMessage("The task spec cannot be used: *");
    }

    [Fact]
    public void The_reference_document_is_read()
    {
        // Guards the refusal cases above: each differs from this accepted document in the one way it names.
        var read = TaskSpec.Deserialize(Encoding.UTF8.GetBytes(Json()));

        read.ToRequest().Should().Be(new UrlRequest(Url));
    }

    [Fact]
    public void Thousands_of_mutated_specs_are_refused_or_read_cleanly()
    {
        var path = Path.Combine(_folder, "f.bin");
        var original = new TaskSpec
        {
            Kind = TaskSpecKind.Upload,
            TaskIdentifier = 12,
            TaskDescription = "d",
            Priority = 0.25f,
            EarliestBeginDate = DateTimeOffset.UnixEpoch,
            Request = RequestSpec.From(new UrlRequest(Url)
            {
                Method = HttpMethod.Post,
                Headers = HeaderList.From([new("A", "1"), new("A", "2")]),
                Body = RequestBody.FromFile(path),
                CachePolicy = RequestCachePolicy.ReturnCacheDataElseLoad,
                TimeoutInterval = TimeSpan.FromSeconds(3),
                HttpShouldHandleCookies = false,
            }),
        }.Serialize();
        var random = new Random(20270311);
        var refused = 0;

        for (var i = 0; i < 5000; i++)
        {
            var mutated = Mutate(original, random);
            try
            {
                // Some mutations still make a valid spec (a changed letter in a value): it must then be fully usable.
                var spec = TaskSpec.Deserialize(mutated);
                TaskSpec.Deserialize(spec.Serialize()).Should().BeEquivalentTo(spec);
                _ = spec.ToRequest();
            }
            catch (UrlError error)
            {
                error.Code.Should().Be(UrlErrorCode.CannotDecodeRawData, $"mutation {i} ({Encoding.UTF8.GetString(mutated)})");
                refused++;
            }
        }

        refused.Should().BeGreaterThan(2500, "most random damage to a spec makes it unreadable");
    }

    private static string Json() =>
        "{\"version\":1,\"kind\":\"Data\",\"taskIdentifier\":3,\"request\":{\"url\":\"http://example.test/items/1?q=a%20b\",\"method\":\"GET\",\"headers\":[],\"httpShouldHandleCookies\":true},\"priority\":0.5}";

    private static ReadOnlySpan<byte> Punctuation => "{}[]\":,0-9ntfe."u8;

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        var copy = bytes.ToList();
        switch (random.Next(5))
        {
            case 0:
                copy[random.Next(copy.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                var start = random.Next(copy.Count);
                copy.RemoveRange(start, Math.Min(copy.Count - start, 1 + random.Next(8)));
                break;
            case 2:
                copy.InsertRange(random.Next(copy.Count), RandomNumberGenerator.GetBytes(1 + random.Next(8)));
                break;
            case 3:
                // JSON punctuation, to make structurally different but often well-formed documents.
                copy[random.Next(copy.Count)] = Punctuation[random.Next(Punctuation.Length)];
                break;
            default:
                copy[random.Next(copy.Count)] = (byte)random.Next(256);
                break;
        }

        return [.. copy];
    }

    private UrlSession Session(HttpMessageHandler handler, ISessionDelegate? sessionDelegate = null, TaskScheduler? delegateQueue = null)
    {
        var configuration = SessionConfiguration.Ephemeral;
        configuration.HttpMessageHandlerFactory = () => handler;
        configuration.DownloadDirectory = _folder;
        return new UrlSession(configuration, sessionDelegate, delegateQueue);
    }

    /// <summary>Records each request as it reached the transport: method, URL, every header line in order, body bytes.</summary>
    private sealed class WireRecorder : HttpMessageHandler
    {
        public System.Collections.Concurrent.ConcurrentQueue<WireRequest> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}")
                .ToArray();
            Requests.Enqueue(new(request.Method.Method, request.RequestUri!.AbsoluteUri, headers, body));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("ok"u8.ToArray()) };
        }
    }

    private sealed record WireRequest(string Method, string Url, string[] Headers, byte[]? Body);

    private sealed class FinishedDownloads : IDownloadTaskDelegate
    {
        public System.Collections.Concurrent.ConcurrentQueue<byte[]> Contents { get; } = new();

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location) => Contents.Enqueue(File.ReadAllBytes(location));
    }

    private sealed class CreationWatcher(TaskCompletionSource<(string?, float, DateTimeOffset?)> announced) : ISessionTaskDelegate
    {
        public void DidCreateTask(UrlSession session, SessionTask task) => announced.TrySetResult((task.TaskDescription, task.Priority, task.EarliestBeginDate));
    }
}
