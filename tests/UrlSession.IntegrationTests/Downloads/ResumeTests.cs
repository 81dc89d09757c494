namespace UrlSessions.IntegrationTests.Downloads;

public sealed class ResumeTests(LoopbackServer server) : IClassFixture<LoopbackServer>, IDisposable
{
    private const int Size = DownloadEndpoints.DefaultSize;
    private readonly string _folder = DownloadFiles.NewFolder();

    public void Dispose() => DownloadFiles.DeleteFolder(_folder);

    private UrlSession NewSession(ISessionDelegate? sessionDelegate = null, Action<SessionConfiguration>? configure = null) =>
        TestSessions.Ephemeral(sessionDelegate, c =>
        {
            c.DownloadDirectory = _folder;
            configure?.Invoke(c);
        });

    private Uri Url(string query) => server.HttpUrl($"/dl/file.bin?{query}");

    /// <summary>
    /// Downloads /dl/file.bin?<paramref name="query"/> with the server stalled at <paramref name="offset"/>, pauses once that
    /// many bytes are on disk, checks the blob records exactly that offset, and then lets the server's stalled handler end.
    /// </summary>
    private Task<byte[]> PauseStalledAsync(UrlSession session, string query, long offset) =>
        PauseStalledAsync(session, stall => Url($"{query}&{stall}"), offset);

    /// <summary>As above for any request: <paramref name="request"/> puts the given stall=…&amp;stallat=… into its query.</summary>
    private async Task<byte[]> PauseStalledAsync(UrlSession session, Func<string, UrlRequest> request, long offset)
    {
        var gate = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        var task = recorder.Start(session.CreateDownloadTask(request($"stall={gate}&stallat={offset}")));
        await recorder.WrittenReached(offset).Within();
        var blob = await task.CancelByProducingResumeDataAsync().Within();
        blob.Should().NotBeNull();
        DownloadFiles.BlobOffset(blob!).Should().Be(offset);
        server.Gates.Stall(gate).Release();
        return blob!;
    }

    /// <summary>
    /// Runs a paced download (pace=…&amp;credit=…) in lock-step, granting the next piece only once every byte sent is on disk,
    /// and pauses as soon as DidWriteData reaches <paramref name="target"/>.
    /// </summary>
    private static async Task<byte[]?> PauseInLockStepAsync(DownloadTask task, CreditGate credit, long target)
    {
        var recorder = new RecordingDelegate();
        var paused = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.OnWrite = (t, total) =>
        {
            if (total >= target)
            {
                _ = t.CancelByProducingResumeDataAsync().ContinueWith(r => paused.TrySetResult(r.Result), TaskScheduler.Default);
            }
            else if (total == credit.Sent)
            {
                credit.Grant();
            }
        };
        recorder.Start(task);
        return await paused.Task.Within();
    }

    /// <summary>Opens a connection in the session first, so that a short timeout measures only the stall.</summary>
    private async Task WarmAsync(UrlSession session)
    {
        var (warm, _) = await session.DownloadAsync(Url("size=100")).Within();
        File.Delete(warm);
    }

    /// <summary>
    /// Resumes from a blob with a delegate task, checks it completes without error, that the file is <paramref name="sha256"/>
    /// and that DidResumeAtOffset came once, first, with (<paramref name="resumedAt"/>, <paramref name="total"/>).
    /// </summary>
    private static async Task<RecordingDelegate> ResumeToEndAsync(UrlSession session, byte[] blob, string sha256, long resumedAt, long total = Size, string because = "")
    {
        var recorder = new RecordingDelegate();
        recorder.Start(session.CreateDownloadTask(blob));
        (await recorder.Completed.Within()).Should().BeNull();
        recorder.WroteBeforeResumed.Should().BeFalse("DidResumeAtOffset comes before the resumed task's first DidWriteData");
        (await recorder.Finished.Within()).Should().Be(sha256, because);
        recorder.Resumes.Should().Equal((resumedAt, total));
        return recorder;
    }

    /// <summary>Resumes with DownloadAsync again and again while the server keeps cutting the connection; returns the whole file.</summary>
    private static async Task<string> DownloadThroughCutsAsync(UrlSession session, byte[] blob)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            try
            {
                var (location, _) = await session.DownloadAsync(blob).Within();
                return location;
            }
            catch (UrlError again) when (again.Code == UrlErrorCode.NetworkConnectionLost && again.DownloadTaskResumeData is not null)
            {
                blob = again.DownloadTaskResumeData;
            }
        }

        throw new Xunit.Sdk.XunitException("the download was cut 40 times in a row; every resume should get further");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(777)]
    [InlineData(4096)]
    [InlineData(15_999)]
    public async Task Pause_at_an_exact_offset_then_resume_sends_Range_and_If_Range_and_appends(int offset)
    {
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=31&log={log}", offset);
        Directory.EnumerateFiles(_folder).Should().ContainSingle("the partial file is kept for the blob");

        var recorder = await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(Size, 31), offset);
        recorder.Writes[0].Total.Should().BeGreaterThan(offset);
        recorder.Writes.Should().OnlyContain(w => w.Expected == Size);
        recorder.Writes[^1].Total.Should().Be(Size);
        var requests = DownloadEndpoints.Requests(log);
        requests.Should().HaveCount(2);
        requests[1].Range.Should().Be($"bytes={offset}-");
        requests[1].IfRange.Should().Be(DownloadEndpoints.StrongETag(31, 0));
        requests[1].Status.Should().Be(206);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Pause_at_ten_random_offsets_then_resume_ends_byte_identical()
    {
        var random = new Random(20261125);
        var expected = DownloadEndpoints.Sha256(Size, 32);
        await using var session = NewSession();
        for (var round = 0; round < 10; round++)
        {
            var target = random.Next(1, Size);
            var id = GateRegistry.NewId();
            var credit = DownloadEndpoints.Credit(id);

            // Lock-step: the server sends the next 8 KiB piece (cut at the target) only once every byte sent is on
            // disk, so DidWriteData reaches the target exactly, and the pause happens there.
            var blob = await PauseInLockStepAsync(session.CreateDownloadTask(Url($"seed=32&pace=8192&credit={id}&stallat={target}")), credit, target);
            blob.Should().NotBeNull();
            DownloadFiles.BlobOffset(blob!).Should().Be(target);
            credit.Unlimit();

            // Alternate the resumed forms: delegate and DownloadAsync.
            if (round % 2 == 0)
            {
                await ResumeToEndAsync(session, blob!, expected, target);
            }
            else
            {
                var progress = new RecordingDelegate();
                var (location, response) = await session.DownloadAsync(blob!, progress).Within();
                DownloadFiles.HashAndDelete(location).Should().Be(expected);
                ((HttpUrlResponse)response).StatusCode.Should().Be(206);
                progress.Resumes.Should().Equal((target, Size));
            }
        }

        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Theory]
    [InlineData("etag=weak&lastmodified=off", "GET")]
    [InlineData("etag=none&lastmodified=off", "GET")]
    [InlineData("gzip=1", "GET")]
    [InlineData("", "POST")]
    public async Task Pause_returns_null_when_not_resumable_and_the_partial_file_is_deleted(string query, string method)
    {
        var gate = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        await using var session = NewSession();
        var request = new UrlRequest(Url($"seed=33&stall={gate}&stallat=8000&{query}")) { Method = new HttpMethod(method) };
        if (method == "POST")
        {
            request = request with { Body = RequestBody.FromBytes(new byte[1000]) };
        }

        var task = recorder.Start(session.CreateDownloadTask(request));
        await recorder.WrittenReached(1).Within();
        Directory.EnumerateFiles(_folder).Should().ContainSingle();

        (await task.CancelByProducingResumeDataAsync().Within()).Should().BeNull();
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        task.Error.DownloadTaskResumeData.Should().BeNull();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
        server.Gates.Stall(gate).Release();
    }

    [Fact]
    public async Task A_cut_connection_fails_with_NetworkConnectionLost_and_repeated_resumes_finish_identical()
    {
        const int cut = 300_000;
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(Url($"seed=34&cut={cut}&log={log}")).Within());
        error.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        var blob = error.DownloadTaskResumeData;
        blob.Should().NotBeNull();

        var offsets = new List<long>();
        string? location = null;
        for (var attempt = 0; attempt < 40 && location is null; attempt++)
        {
            var offset = DownloadFiles.BlobOffset(blob!);
            offsets.Add(offset);
            var progress = new RecordingDelegate();
            try
            {
                (location, _) = await session.DownloadAsync(blob!, progress).Within();
            }
            catch (UrlError again)
            {
                again.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
                again.DownloadTaskResumeData.Should().NotBeNull();
                blob = again.DownloadTaskResumeData;
            }

            progress.Resumes.Should().Equal((offset, Size));
        }

        location.Should().NotBeNull("every resume gets further, so the download ends");
        RecordingDelegate.Hash(location!).Should().Be(DownloadEndpoints.Sha256(Size, 34));
        File.Delete(location!);
        offsets.Should().BeInAscendingOrder().And.HaveCountGreaterThan(1);
        offsets[0].Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(cut);
        DownloadEndpoints.Requests(log).Skip(1).Should().OnlyContain(r => r.Range != null && r.Status == 206);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_request_timeout_mid_body_fails_with_TimedOut_and_resume_data()
    {
        var gate = GateRegistry.NewId();
        await using var session = NewSession();
        await WarmAsync(session);
        var recorder = new RecordingDelegate();
        recorder.Start(session.CreateDownloadTask(new UrlRequest(Url($"seed=35&stall={gate}&stallat=9000")) { TimeoutInterval = TimeSpan.FromSeconds(1) }));

        var error = await recorder.Completed.Within();
        error!.Code.Should().Be(UrlErrorCode.TimedOut);
        error.DownloadTaskResumeData.Should().NotBeNull();
        DownloadFiles.BlobOffset(error.DownloadTaskResumeData!).Should().Be(9000);
        server.Gates.Stall(gate).Release();

        await ResumeToEndAsync(session, error.DownloadTaskResumeData!, DownloadEndpoints.Sha256(Size, 35), 9000);
    }

    [Theory]
    [InlineData("etag=strong&lastmodified=on", true)]
    [InlineData("etag=strong&lastmodified=off", true)]
    [InlineData("etag=weak&lastmodified=on", false)]
    [InlineData("etag=none&lastmodified=on", false)]
    public async Task If_Range_carries_the_strong_ETag_else_Last_Modified(string query, bool strong)
    {
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=36&version=2&log={log}&{query}", 5000);

        await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(Size, 36, 2), 5000);
        var request = DownloadEndpoints.Requests(log)[^1];
        request.Range.Should().Be("bytes=5000-");
        request.IfRange.Should().Be(strong ? DownloadEndpoints.StrongETag(36, 2) : DownloadEndpoints.LastModified(2));
        request.Status.Should().Be(206);
    }

    [Theory]
    [InlineData("etag=strong&lastmodified=on")]
    [InlineData("etag=none&lastmodified=on")]
    public async Task A_changed_validator_makes_the_server_answer_200_and_the_download_starts_over(string query)
    {
        var state = GateRegistry.NewId();
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=37&state={state}&log={log}&{query}", 12000);
        DownloadEndpoints.State(state).Version = 5;

        var resumed = await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(Size, 37, 5), 0, because: "the new version, never spliced onto the old one");
        resumed.Writes[^1].Total.Should().Be(Size);
        resumed.Writes.Sum(w => w.Written).Should().Be(Size, "starting over counts from zero");
        var requests = DownloadEndpoints.Requests(log);
        requests[^1].Range.Should().Be("bytes=12000-");
        requests[^1].Status.Should().Be(200);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_server_that_ignores_Range_restarts_from_zero()
    {
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, "seed=38&ignore-range=1", 3000);

        var resumed = await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(Size, 38), 0);
        resumed.Writes[^1].Total.Should().Be(Size);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_wrong_Content_Range_is_never_spliced()
    {
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=39&wrong-range=1&log={log}", 10000);

        var resumed = await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(Size, 39), 0);
        var requests = DownloadEndpoints.Requests(log);
        requests.Select(r => r.Status).Should().Equal(200, 206, 200);
        requests[2].Range.Should().BeNull("the restart asks for the whole file");
        resumed.Writes[^1].Total.Should().Be(Size);
        resumed.Writes.Sum(w => w.Written).Should().Be(Size, "the discarded 206 body is not counted");
        requests[2].IfRange.Should().BeNull();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_416_after_the_resource_shrank_starts_over_cleanly()
    {
        var state = GateRegistry.NewId();
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=40&state={state}&log={log}", 14000);
        DownloadEndpoints.State(state).Size = 5000;

        var resumed = new RecordingDelegate();
        var task = resumed.Start(session.CreateDownloadTask(blob));
        (await resumed.Completed.Within()).Should().BeNull("the documented answer to a 416 is to start over");
        (await resumed.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(5000, 40));
        resumed.Resumes.Should().Equal((0L, 5000L));
        resumed.Writes[^1].Total.Should().Be(5000);
        task.CountOfBytesReceived.Should().Be(5000);
        var requests = DownloadEndpoints.Requests(log);
        requests.Select(r => r.Status).Should().Equal(200, 416, 200);
        requests[2].Range.Should().BeNull();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Resume_data_works_in_a_new_session_with_the_same_download_folder()
    {
        byte[] blob;
        await using (var first = NewSession())
        {
            blob = await PauseStalledAsync(first, "seed=41", 11111);
        }

        Directory.EnumerateFiles(_folder).Should().ContainSingle("disposing the session keeps the partial file of a blob");

        await using var second = NewSession();
        await ResumeToEndAsync(second, blob, DownloadEndpoints.Sha256(Size, 41), 11111);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_chunked_download_without_Content_Length_pauses_and_resumes_identical()
    {
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, "seed=42&chunked=1", 6000);

        var recorder = new RecordingDelegate();
        var task = recorder.Start(session.CreateDownloadTask(blob));
        (await recorder.Completed.Within()).Should().BeNull();
        (await recorder.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(Size, 42));
        recorder.Resumes.Should().Equal((6000L, (long)Size));
        recorder.Writes[^1].Total.Should().Be(Size);
        task.CountOfBytesReceived.Should().Be(Size, "after a resume the counts include the bytes already on disk");
        task.CountOfBytesExpectedToReceive.Should().Be(Size, "the 206's Content-Range gives the whole length");
        task.Progress.FractionCompleted.Should().Be(1);
    }

    [Fact]
    public async Task Over_HTTP2_a_cut_stream_and_a_pause_resume_end_identical()
    {
        await using var session = NewSession(new RecordingDelegate { TrustedCertificate = server.Certificate });
        var blob = await PauseStalledAsync(session, stall => server.HttpsUrl($"/dl/h2.bin?seed=43&{stall}"), 7000);
        var (location, response) = await session.DownloadAsync(blob).Within();
        DownloadFiles.HashAndDelete(location).Should().Be(DownloadEndpoints.Sha256(Size, 43));
        ((HttpUrlResponse)response).HttpVersion.Should().Be(new Version(2, 0));

        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(server.HttpsUrl($"/dl/h2.bin?seed=44&cut=250000")).Within());
        error.Code.Should().Be(UrlErrorCode.NetworkConnectionLost, "a stream the server resets mid-body is a lost transfer ({0})", error.InnerException);
        error.DownloadTaskResumeData.Should().NotBeNull();
        location = await DownloadThroughCutsAsync(session, error.DownloadTaskResumeData!);
        DownloadFiles.HashAndDelete(location).Should().Be(DownloadEndpoints.Sha256(Size, 44));
    }

    [Fact]
    public async Task A_gzip_download_is_decoded_to_the_original_bytes_with_consistent_progress()
    {
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var task = await recorder.RunToEndAsync(session.CreateDownloadTask(Url("seed=45&gzip=1")), DownloadEndpoints.Sha256(Size, 45));
        recorder.Writes[^1].Total.Should().Be(Size);
        recorder.Writes.Should().OnlyContain(w => w.Expected == -1 || w.Expected == Size, "the compressed length is not the file's length");
        task.CountOfBytesReceived.Should().Be(Size);
        task.Progress.FractionCompleted.Should().BeInRange(0, 1);
    }

    [Fact]
    public async Task Over_HTTP2_a_request_timeout_mid_body_carries_resume_data()
    {
        var gate = GateRegistry.NewId();
        await using var session = NewSession(new RecordingDelegate { TrustedCertificate = server.Certificate });

        // Warm the TLS connection first: only the stall may be idle time, not a cold handshake on a busy machine.
        var (warm, _) = await session.DownloadAsync(server.HttpsUrl("/dl/warm.bin?size=1000")).Within();
        File.Delete(warm);
        var request = new UrlRequest(server.HttpsUrl($"/dl/h2.bin?seed=64&stall={gate}&stallat=2222")) { TimeoutInterval = TimeSpan.FromSeconds(1) };
        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(request).Within());
        error.Code.Should().Be(UrlErrorCode.TimedOut);
        error.DownloadTaskResumeData.Should().NotBeNull();
        DownloadFiles.BlobOffset(error.DownloadTaskResumeData!).Should().Be(2222);
        server.Gates.Stall(gate).Release();

        await using var patient = NewSession(new RecordingDelegate { TrustedCertificate = server.Certificate });
        var (location, _) = await patient.DownloadAsync(error.DownloadTaskResumeData!).Within();
        DownloadFiles.HashAndDelete(location).Should().Be(DownloadEndpoints.Sha256(Size, 64));
    }

    [Fact]
    public async Task FinishTasksAndInvalidate_lets_a_running_download_finish()
    {
        var gate = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        var session = NewSession(recorder);
        await using var _ = session;
        session.CreateDownloadTask(Url($"seed=65&stall={gate}&stallat=1000")).Resume();
        await recorder.WrittenReached(1000).Within();
        session.FinishTasksAndInvalidate();
        server.Gates.Stall(gate).Release();

        (await recorder.Completed.Within()).Should().BeNull();
        (await recorder.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(Size, 65));
        await recorder.Invalidated.Within();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Cancelling_DownloadAsync_throws_Cancelled_and_leaves_no_file()
    {
        var gate = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        await using var session = NewSession();
        using var cancellation = new CancellationTokenSource();
        var download = session.DownloadAsync(Url($"seed=46&stall={gate}&stallat=5000"), recorder, cancellation.Token);
        await recorder.WrittenReached(5000).Within();
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAsync<UrlError>(() => download.Within());
        error.Code.Should().Be(UrlErrorCode.Cancelled);
        error.DownloadTaskResumeData.Should().BeNull();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
        server.Gates.Stall(gate).Release();
    }

    [Fact]
    public async Task A_throwing_DidFinishDownloading_still_gets_its_file_deleted()
    {
        var recorder = new ThrowingRecorder();
        await using var session = NewSession(recorder);
        session.CreateDownloadTask(Url("seed=47&size=5000")).Resume();
        await recorder.Completed.Within();
        recorder.Hash.Should().Be(DownloadEndpoints.Sha256(5000, 47));
        File.Exists(recorder.Location).Should().BeFalse();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_redirected_download_resumes_from_the_original_URL_through_the_redirect()
    {
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(
            session,
            stall => server.HttpUrl($"/redirect/302?to={Uri.EscapeDataString($"/dl/moved.bin?seed=48&{stall}&log={log}")}"),
            9500);

        await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(Size, 48), 9500);
        var request = DownloadEndpoints.Requests(log)[^1];
        request.Range.Should().Be("bytes=9500-");
        request.Status.Should().Be(206);
    }

    [Fact]
    public async Task Pausing_before_any_byte_is_written_returns_null_and_leaves_no_file()
    {
        var gate = GateRegistry.NewId();
        await using var session = NewSession();
        var task = session.CreateDownloadTask(Url($"seed=49&stall={gate}&stallat=0"));
        task.Resume();
        await server.Gates.Stall(gate).Started.Within();

        (await task.CancelByProducingResumeDataAsync().Within()).Should().BeNull();
        task.Error!.Code.Should().Be(UrlErrorCode.Cancelled);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
        server.Gates.Stall(gate).Release();
    }

    [Fact]
    public async Task A_resumed_download_can_be_paused_again_and_resumed_identical()
    {
        var id = GateRegistry.NewId();
        var credit = DownloadEndpoints.Credit(id);
        var url = Url($"seed=50&pace=8192&credit={id}&stallat=20000");
        await using var session = NewSession();

        var first = await PauseInLockStepAsync(session.CreateDownloadTask(url), credit, 20000);
        DownloadFiles.BlobOffset(first!).Should().Be(20000);
        var second = await PauseInLockStepAsync(session.CreateDownloadTask(first!), credit, 300_000);
        var offset = DownloadFiles.BlobOffset(second!);
        offset.Should().BeInRange(300_000, 300_000 + 8192);
        credit.Unlimit();

        var resumed = await ResumeToEndAsync(session, second!, DownloadEndpoints.Sha256(Size, 50), offset);
        resumed.Writes.Sum(w => w.Written).Should().Be(Size - offset, "the written bytes add up from the resume offset");
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Theory]
    [InlineData("request")]
    [InlineData("resource")]
    public async Task A_request_or_resource_timeout_mid_body_carries_resume_data(string which)
    {
        var gate = GateRegistry.NewId();
        await using var session = NewSession(configure: c =>
        {
            if (which == "resource")
            {
                c.TimeoutIntervalForResource = TimeSpan.FromSeconds(1.5);
            }
        });
        await WarmAsync(session);
        var request = new UrlRequest(Url($"seed=52&stall={gate}&stallat=3333"));
        if (which == "request")
        {
            request = request with { TimeoutInterval = TimeSpan.FromSeconds(1) };
        }

        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(request).Within());
        error.Code.Should().Be(UrlErrorCode.TimedOut);
        DownloadFiles.BlobOffset(error.DownloadTaskResumeData!).Should().Be(3333);
        server.Gates.Stall(gate).Release();

        await using var patient = NewSession();
        var (location, _) = await patient.DownloadAsync(error.DownloadTaskResumeData!).Within();
        DownloadFiles.HashAndDelete(location).Should().Be(DownloadEndpoints.Sha256(Size, 52));
    }

    [Fact]
    public async Task A_chunked_response_cut_mid_body_resumes_identical()
    {
        await using var session = NewSession();
        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(Url("seed=53&chunked=1&cut=400000")).Within());
        error.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        error.DownloadTaskResumeData.Should().NotBeNull();
        var location = await DownloadThroughCutsAsync(session, error.DownloadTaskResumeData!);
        DownloadFiles.HashAndDelete(location).Should().Be(DownloadEndpoints.Sha256(Size, 53));
    }

    [Fact]
    public async Task A_206_with_another_total_length_is_not_spliced()
    {
        var state = GateRegistry.NewId();
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=54&state={state}&log={log}", 10000);
        DownloadEndpoints.State(state).Size = 600_000;

        await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(600_000, 54), 0, total: 600_000);
        DownloadEndpoints.Requests(log).Select(r => r.Status).Should().Equal(200, 206, 200);
    }

    [Fact]
    public async Task A_blob_is_rejected_in_a_session_with_another_download_folder_or_when_its_file_is_gone()
    {
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=55&log={log}", 2000);
        var partial = Directory.EnumerateFiles(_folder).Should().ContainSingle().Subject;

        var otherFolder = DownloadFiles.NewFolder();
        try
        {
            await using var other = TestSessions.Ephemeral(configure: c => c.DownloadDirectory = otherFolder);
            var elsewhere = await Assert.ThrowsAsync<UrlError>(() => other.DownloadAsync(blob).Within());
            elsewhere.Code.Should().Be(UrlErrorCode.CannotOpenFile);
            File.Exists(partial).Should().BeTrue("a rejected blob touches no file");
            Directory.EnumerateFileSystemEntries(otherFolder).Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(otherFolder, recursive: true);
        }

        File.Delete(partial);
        var gone = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(blob).Within());
        gone.Code.Should().Be(UrlErrorCode.FileDoesNotExist);
        DownloadEndpoints.Requests(log).Should().HaveCount(1, "no request is sent for a rejected blob");
    }

    [Fact]
    public async Task The_blob_keeps_request_headers_but_not_credentials_and_the_resume_sends_them()
    {
        await using var session = NewSession();
        var blob = await PauseStalledAsync(
            session,
            stall => new UrlRequest(Url($"seed=56&{stall}"))
                .WithHeader("X-Trace", "42")
                .WithHeader("Authorization", "Bearer secret-token")
                .WithHeader("Cookie", "sid=secret-cookie"),
            4000);

        var text = System.Text.Encoding.UTF8.GetString(blob);
        text.Should().Contain("X-Trace").And.NotContain("secret-token").And.NotContain("secret-cookie");
        var resumed = session.CreateDownloadTask(blob);
        resumed.OriginalRequest!.Headers["X-Trace"].Should().Be("42");
        resumed.Delegate = new RecordingDelegate();
        resumed.Resume();
        await resumed.Completion.Within();
        resumed.Error.Should().BeNull();
    }

    [Fact]
    public async Task A_download_that_a_data_task_became_can_be_paused_and_resumed()
    {
        var gate = GateRegistry.NewId();
        var recorder = new RecordingDelegate { Disposition = ResponseDisposition.BecomeDownload };
        await using var session = NewSession(recorder);
        session.CreateDataTask(Url($"seed=57&stall={gate}&stallat=6500")).Resume();
        var download = await recorder.BecameDownload.Within();
        await recorder.WrittenReached(6500).Within();

        var blob = await download.CancelByProducingResumeDataAsync().Within();
        blob.Should().NotBeNull();
        DownloadFiles.BlobOffset(blob!).Should().Be(6500);
        server.Gates.Stall(gate).Release();

        var (location, _) = await session.DownloadAsync(blob!).Within();
        DownloadFiles.HashAndDelete(location).Should().Be(DownloadEndpoints.Sha256(Size, 57));
    }

    [Fact]
    public async Task A_resumed_task_that_cannot_connect_hands_back_resume_data_and_keeps_the_partial_file()
    {
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, "seed=58", 7777);

        // Every request of this session goes to a proxy port nothing listens on: the resume fails before a response.
        await using (var offline = NewSession(configure: c => c.Proxy = new System.Net.WebProxy(new Uri($"http://127.0.0.1:{server.ClosedPort}"))))
        {
            var error = await Assert.ThrowsAsync<UrlError>(() => offline.DownloadAsync(blob).Within());
            error.Code.Should().Be(UrlErrorCode.CannotConnectToHost);
            error.DownloadTaskResumeData.Should().NotBeNull("nothing about the partial file changed");
            DownloadFiles.BlobOffset(error.DownloadTaskResumeData!).Should().Be(7777);
            blob = error.DownloadTaskResumeData!;
        }

        Directory.EnumerateFiles(_folder).Should().ContainSingle();
        await ResumeToEndAsync(session, blob, DownloadEndpoints.Sha256(Size, 58), 7777);
    }

    [Fact]
    public async Task A_download_folder_that_cannot_be_created_fails_with_CannotCreateFile()
    {
        var blocker = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllBytesAsync(blocker, [0]);
        await using var session = TestSessions.Ephemeral(configure: c => c.DownloadDirectory = Path.Combine(blocker, "downloads"));
        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(Url("seed=59&size=1000")).Within());
        error.Code.Should().Be(UrlErrorCode.CannotCreateFile);
        error.DownloadTaskResumeData.Should().BeNull();
        File.Delete(blocker);
    }

    [Fact]
    public async Task A_completion_handler_task_from_resume_data_gets_the_whole_file()
    {
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, "seed=62", 2500);

        var done = new TaskCompletionSource<(string? Hash, string? Location, UrlError? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = session.CreateDownloadTask(blob, (location, _, error) =>
            done.TrySetResult((location is null ? null : RecordingDelegate.Hash(location), location, error)));
        task.Resume();
        var (hash, path, failure) = await done.Task.Within();
        await task.Completion.Within();
        failure.Should().BeNull();
        hash.Should().Be(DownloadEndpoints.Sha256(Size, 62));
        File.Exists(path).Should().BeFalse();

        var rejected = new TaskCompletionSource<UrlError?>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.CreateDownloadTask(blob.AsSpan(0, blob.Length - 1).ToArray(), (_, _, error) => rejected.TrySetResult(error)).Resume();
        (await rejected.Task.Within())!.Code.Should().Be(UrlErrorCode.CannotDecodeRawData);
    }

    [Fact]
    public async Task A_resumed_download_whose_206_carries_no_validators_stays_resumable_with_the_blobs_validator()
    {
        var log = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=63&bare206=1&cut206=100000&log={log}", 4000);

        // The 206 confirmed the If-Range validator; when it drops mid-body the download must still resume.
        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(blob).Within());
        error.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        error.DownloadTaskResumeData.Should().NotBeNull("the partial file still matches the validator the 206 answered to");
        var offset = DownloadFiles.BlobOffset(error.DownloadTaskResumeData!);
        offset.Should().BeInRange(4001, 104_000);

        var location = await DownloadThroughCutsAsync(session, error.DownloadTaskResumeData!);
        DownloadFiles.HashAndDelete(location).Should().Be(DownloadEndpoints.Sha256(Size, 63));
        DownloadEndpoints.Requests(log).Skip(1).Should().OnlyContain(r => r.IfRange == DownloadEndpoints.StrongETag(63, 0));
    }

    [Fact]
    public async Task A_resume_whose_206_drops_one_byte_in_reports_DidResumeAtOffset_before_DidComplete()
    {
        var cut = GateRegistry.NewId();
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=68&cut206=1&cutwait={cut}", 4000);

        var recorder = new RecordingDelegate();
        recorder.Start(session.CreateDownloadTask(blob));

        // The cut waits until the client has the 206 and its first byte (an abort drops what Kestrel has not sent yet).
        await recorder.WrittenReached(4001).Within();
        server.Gates.Stall(cut).Release();
        var error = await recorder.Completed.Within();

        error!.Code.Should().Be(UrlErrorCode.NetworkConnectionLost);
        recorder.Resumes.Should().Equal([(4000L, (long)Size)], "the 206 was accepted before the connection dropped");
        DownloadFiles.BlobOffset(error.DownloadTaskResumeData!).Should().Be(4001);
    }

    [Fact]
    public async Task A_blob_used_twice_at_once_never_breaks_the_download_that_holds_the_file()
    {
        var id = GateRegistry.NewId();
        var credit = DownloadEndpoints.Credit(id);
        await using var session = NewSession();
        var blob = await PauseStalledAsync(session, $"seed=66&pace=8192&credit={id}", 5000);

        // The first resume writes its first piece and waits for credit, holding the partial file open.
        var first = new RecordingDelegate();
        var firstTask = first.Start(session.CreateDownloadTask(blob));
        await first.WrittenReached(5001).Within();

        var second = new RecordingDelegate();
        var secondTask = second.Start(session.CreateDownloadTask(blob));
        var secondError = await second.Completed.Within();
        secondError!.Code.Should().Be(UrlErrorCode.CannotOpenFile, "the partial file is in use by the first resume");
        secondError.DownloadTaskResumeData.Should().BeNull();

        credit.Unlimit();
        try
        {
            await first.Completed.Within();
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"first: {firstTask.State} received {firstTask.CountOfBytesReceived} sent {credit.Sent} writes {string.Join(",", first.Writes.Select(w => w.Total))} second {secondTask.State} {secondError.Message}");
        }

        (await first.Completed).Should().BeNull("the download that holds the partial file finishes");
        (await first.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(Size, 66));
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Resuming_from_DidComplete_right_away_finishes_a_download_cut_again_and_again()
    {
        var chain = new ChainingRecorder();
        await using var session = NewSession(chain);
        session.CreateDownloadTask(Url("seed=67&cut=200000")).Resume();
        (await chain.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(Size, 67));
        chain.Attempts.Should().BeGreaterThan(1);
        chain.Errors.Should().OnlyContain(code => code == UrlErrorCode.NetworkConnectionLost);
    }

    private sealed class ChainingRecorder : IDownloadTaskDelegate
    {
        private readonly TaskCompletionSource<string> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;

        public Task<string> Finished => _finished.Task;

        public int Attempts => Volatile.Read(ref _attempts);

        public System.Collections.Concurrent.ConcurrentQueue<UrlErrorCode> Errors { get; } = new();

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location) => _finished.TrySetResult(RecordingDelegate.Hash(location));

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error)
        {
            if (error is null)
            {
                return;
            }

            Errors.Enqueue(error.Code);
            if (error.DownloadTaskResumeData is { } blob && Interlocked.Increment(ref _attempts) < 40)
            {
                session.CreateDownloadTask(blob).Resume();
            }
            else
            {
                _finished.TrySetException(error);
            }
        }
    }

    private sealed class ThrowingRecorder : IDownloadTaskDelegate
    {
        private readonly TaskCompletionSource<UrlError?> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<UrlError?> Completed => _completed.Task;

        public string? Location { get; private set; }

        public string? Hash { get; private set; }

        public void DidFinishDownloading(UrlSession session, DownloadTask task, string location)
        {
            Location = location;
            Hash = RecordingDelegate.Hash(location);
            throw new InvalidOperationException("the delegate failed");
        }

        public void DidComplete(UrlSession session, SessionTask task, UrlError? error) => _completed.TrySetResult(error);
    }
}
