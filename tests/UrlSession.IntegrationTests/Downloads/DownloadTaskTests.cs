using System.Security.Cryptography;

namespace UrlSessions.IntegrationTests.Downloads;

public sealed class DownloadTaskTests(LoopbackServer server) : IClassFixture<LoopbackServer>, IDisposable
{
    private const int Size = 700_000;
    private readonly string _folder = DownloadFiles.NewFolder();

    public void Dispose() => DownloadFiles.DeleteFolder(_folder);

    private UrlSession NewSession(ISessionDelegate? sessionDelegate = null) =>
        TestSessions.Ephemeral(sessionDelegate, c => c.DownloadDirectory = _folder);

    private Uri Url(string query, string name = "file.bin") => server.HttpUrl($"/dl/{name}?{query}");

    /// <summary>Starts a download of <see cref="Size"/> bytes that the server stalls at <paramref name="stallAt"/>; returns once that many are written.</summary>
    private async Task<(DownloadTask Task, StallGate Stall)> StartStalledAsync(UrlSession session, RecordingDelegate recorder, int seed, long stallAt)
    {
        var gate = GateRegistry.NewId();
        var task = session.CreateDownloadTask(Url($"size={Size}&seed={seed}&stall={gate}&stallat={stallAt}"));
        task.Resume();
        await recorder.WrittenReached(stallAt).Within();
        return (task, server.Gates.Stall(gate));
    }

    private static void ProgressAddsUp(RecordingDelegate recorder, long size, long expected)
    {
        var writes = recorder.Writes;
        writes.Should().NotBeEmpty();
        writes.Select(w => w.Total).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        writes.Should().OnlyContain(w => w.Written > 0 && w.Expected == expected);
        long sum = 0;
        foreach (var (written, total, _) in writes)
        {
            sum += written;
            total.Should().Be(sum, "each totalBytesWritten is the sum of the bytesWritten so far");
        }

        writes[^1].Total.Should().Be(size);
    }

    [Fact]
    public async Task Two_MiB_sent_before_a_stall_are_written_and_reported_while_the_server_stalls()
    {
        const int size = 3 * 1024 * 1024;
        const int stallAt = 2 * 1024 * 1024;
        var gate = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        await using var session = NewSession();
        recorder.Start(session.CreateDownloadTask(Url($"size={size}&seed=90&stall={gate}&stallat={stallAt}")));

        // The server wrote and flushed 2 MiB and waits: every byte of it must reach the file and DidWriteData now.
        await recorder.WrittenReached(stallAt).Within();
        recorder.Writes[^1].Total.Should().Be(stallAt, "nothing past the stall was sent yet");
        server.Gates.Stall(gate).Ended.IsCompleted.Should().BeFalse("the server is still stalled");

        server.Gates.Stall(gate).Release();
        (await recorder.Completed.Within()).Should().BeNull();
        (await recorder.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(size, 90));
    }

    [Fact]
    public async Task Delegate_gets_the_file_in_DidFinishDownloading_and_it_is_deleted_after_the_callback()
    {
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var task = await recorder.RunToEndAsync(session.CreateDownloadTask(Url("seed=1")), DownloadEndpoints.Sha256(DownloadEndpoints.DefaultSize, 1));
        File.Exists(recorder.FinishedLocation).Should().BeFalse("the file is deleted once DidFinishDownloading returns");
        Path.GetDirectoryName(recorder.FinishedLocation).Should().Be(Path.GetFullPath(_folder));
        ProgressAddsUp(recorder, DownloadEndpoints.DefaultSize, DownloadEndpoints.DefaultSize);
        task.CountOfBytesReceived.Should().Be(DownloadEndpoints.DefaultSize);
        task.CountOfBytesExpectedToReceive.Should().Be(DownloadEndpoints.DefaultSize);
        task.Progress.CompletedUnitCount.Should().Be(task.CountOfBytesReceived);
        task.Progress.TotalUnitCount.Should().Be(task.CountOfBytesExpectedToReceive);
        task.Progress.FractionCompleted.Should().Be(1);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_file_moved_in_DidFinishDownloading_stays_where_the_delegate_put_it()
    {
        var target = Path.Combine(_folder, "..", "moved-" + Guid.NewGuid().ToString("N"));
        var recorder = new RecordingDelegate { MoveTo = target };
        await using var session = NewSession(recorder);
        session.CreateDownloadTask(Url($"size={Size}&seed=2")).Resume();

        (await recorder.Completed.Within()).Should().BeNull();
        await recorder.Finished.Within();
        try
        {
            RecordingDelegate.Hash(target).Should().Be(DownloadEndpoints.Sha256(Size, 2));
            Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public async Task Completion_handler_gets_the_file_which_is_deleted_when_it_returns()
    {
        var done = new TaskCompletionSource<(string? Location, string? Hash, UrlResponse? Response, UrlError? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var task = session.CreateDownloadTask(Url($"size={Size}&seed=3"), (location, response, error) =>
            done.TrySetResult((location, location is null ? null : RecordingDelegate.Hash(location), response, error)));
        task.Resume();

        var (location, hash, response, error) = await done.Task.Within();
        await task.Completion.Within();
        error.Should().BeNull();
        hash.Should().Be(DownloadEndpoints.Sha256(Size, 3));
        ((HttpUrlResponse)response!).StatusCode.Should().Be(200);
        File.Exists(location).Should().BeFalse("the completion handler's file is removed once it returns");
        recorder.Finished.IsCompleted.Should().BeFalse("completion-handler tasks get no DidFinishDownloading");
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task DownloadAsync_hands_the_file_to_the_caller_with_progress_and_no_DidFinishDownloading()
    {
        var recorder = new RecordingDelegate();
        await using var session = NewSession();
        var (location, response) = await session.DownloadAsync(Url($"size={Size}&seed=4"), recorder).Within();
        try
        {
            RecordingDelegate.Hash(location).Should().Be(DownloadEndpoints.Sha256(Size, 4));
            ((HttpUrlResponse)response).StatusCode.Should().Be(200);
            response.ExpectedContentLength.Should().Be(Size);
            recorder.Finished.IsCompleted.Should().BeFalse("DownloadAsync never calls DidFinishDownloading");
            await recorder.Completed.Within();
            ProgressAddsUp(recorder, Size, Size);
        }
        finally
        {
            File.Delete(location);
        }
    }

    [Fact]
    public async Task Without_Content_Length_the_expected_total_is_minus_one_and_the_final_total_is_the_size()
    {
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var task = await recorder.RunToEndAsync(session.CreateDownloadTask(Url($"size={Size}&seed=5&chunked=1")), DownloadEndpoints.Sha256(Size, 5));
        ProgressAddsUp(recorder, Size, -1);
        task.CountOfBytesReceived.Should().Be(Size);
        task.CountOfBytesExpectedToReceive.Should().Be(-1);
        task.Progress.TotalUnitCount.Should().Be(-1);
        task.Progress.FractionCompleted.Should().Be(0);
        task.Response!.ExpectedContentLength.Should().Be(-1);
    }

    [Fact]
    public async Task Downloads_over_TLS_and_HTTP2_end_identical()
    {
        var recorder = new RecordingDelegate { TrustedCertificate = server.Certificate };
        await using var session = NewSession(recorder);
        var task = await recorder.RunToEndAsync(session.CreateDownloadTask(server.HttpsUrl($"/dl/tls.bin?size={Size}&seed=6")), DownloadEndpoints.Sha256(Size, 6));
        ((HttpUrlResponse)task.Response!).HttpVersion.Should().Be(new Version(2, 0));
    }

    [Theory]
    [InlineData("attachment; filename=\"report.pdf\"", "x.bin", "report.pdf")]
    [InlineData("attachment; filename*=UTF-8''na%C3%AFve%20file.txt", "x.bin", "naïve file.txt")]
    [InlineData("attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt", "x.bin", "€ rates.txt")]
    [InlineData("attachment; filename=\"../../etc/passwd\"", "x.bin", "passwd")]
    [InlineData("attachment; filename*=UTF-8''..%2F..%2Fsecret.txt", "x.bin", "secret.txt")]
    [InlineData("attachment; filename*=UTF-8''a%01b%7Fc.txt", "x.bin", "abc.txt")]
    [InlineData("attachment; filename=\"CON.txt\"", "x.bin", "_CON.txt")]
    [InlineData("attachment; filename=\"..\"", "x.bin", "Unknown")]
    [InlineData(null, "archive.tar.gz", "archive.tar.gz")]
    [InlineData(null, "dir/sub/na%C3%AFve.txt", "naïve.txt")]
    [InlineData(null, "a%2F..%2Fb.txt", "b.txt")]
    [InlineData(null, "nul", "_nul")]
    [InlineData("inline", "page.html", "page.html")]
    [InlineData("ATTACHMENT; FILENAME=\"upper.pdf\"", "x.bin", "upper.pdf")]
    [InlineData("attachment; filename*=ISO-8859-1''caf%E9.txt", "x.bin", "café.txt")]
    [InlineData("attachment; filename*=UTF-8''%ZZbad.txt; filename=\"good.txt\"", "x.bin", "good.txt")]
    [InlineData("attachment; filename=\" spaced .txt \"", "x.bin", "spaced .txt")]
    [InlineData("attachment; filename=\"a\\\"b.txt\"", "x.bin", "ab.txt")]
    [InlineData("attachment; filename=", "fallback.dat", "fallback.dat")]
    [InlineData("attachment; filename=\"..\\..\\evil.bat\"", "x.bin", "evil.bat")]
    [InlineData("attachment; filename=\"com1.tar.gz\"", "x.bin", "_com1.tar.gz")]
    [InlineData("attachment; filename=\"=?utf-8?B?w6l0w6kucGRm?=\"", "x.bin", "été.pdf")]
    public async Task SuggestedFilename_comes_from_Content_Disposition_else_the_URL_and_is_sanitized(string? disposition, string name, string expected)
    {
        var query = disposition is null ? $"size=1000&seed=7" : $"size=1000&seed=7&disposition={Uri.EscapeDataString(disposition)}";
        await using var session = NewSession();
        var (location, response) = await session.DownloadAsync(Url(query, name)).Within();
        try
        {
            RecordingDelegate.Hash(location).Should().Be(DownloadEndpoints.Sha256(1000, 7));
            var suggested = response.SuggestedFilename;
            suggested.Should().Be(expected);
            suggested.Should().NotContainAny("/", "\\", "..");
            suggested.Any(char.IsControl).Should().BeFalse();
        }
        finally
        {
            File.Delete(location);
        }
    }

    [Theory]
    [InlineData(300, "%F0%9F%98%80", ".txt")]
    [InlineData(200, "%C3%A9", ".pdf")]
    [InlineData(400, "a", "")]
    [InlineData(400, "a", ".zip")]
    public async Task A_long_suggested_filename_is_shortened_to_a_name_the_file_system_accepts(int repeat, string escapedUnit, string extension)
    {
        var name = string.Concat(Enumerable.Repeat(escapedUnit, repeat)) + extension;
        var disposition = $"attachment; filename*=UTF-8''{name}";
        await using var session = NewSession();
        var (location, response) = await session.DownloadAsync(Url($"size=1000&seed=7&disposition={Uri.EscapeDataString(disposition)}")).Within();
        File.Delete(location);

        var suggested = response.SuggestedFilename;
        System.Text.Encoding.UTF8.GetByteCount(suggested).Should().BeLessThanOrEqualTo(255, "file systems limit a name to 255 bytes");
        suggested.Should().EndWith(extension);
        suggested.EnumerateRunes().Should().NotContain(System.Text.Rune.ReplacementChar, "no surrogate pair is cut in half");
        char.IsHighSurrogate(suggested[^1]).Should().BeFalse();
        var path = Path.Combine(_folder, suggested);
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        File.Exists(path).Should().BeTrue();
        File.Delete(path);
    }

    [Fact]
    public async Task A_POST_download_sends_its_body_and_downloads_the_response()
    {
        var log = GateRegistry.NewId();
        var upload = DownloadEndpoints.Content(300_000, seed: 99);
        var request = new UrlRequest(Url($"size={Size}&seed=8&log={log}", "upload"))
        {
            Method = HttpMethod.Post,
            Body = RequestBody.FromBytes(upload),
        };
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var task = await recorder.RunToEndAsync(session.CreateDownloadTask(request), DownloadEndpoints.Sha256(Size, 8));
        var seen = DownloadEndpoints.Requests(log).Should().ContainSingle().Subject;
        seen.Method.Should().Be("POST");
        seen.BodyLength.Should().Be(upload.Length);
        seen.BodySha256.Should().Be(Convert.ToHexString(SHA256.HashData(upload)));
        task.CountOfBytesSent.Should().Be(upload.Length);
    }

    [Fact]
    public async Task BecomeDownload_turns_a_data_task_into_a_download_task_whose_delegate_gets_the_file()
    {
        var recorder = new RecordingDelegate { Disposition = ResponseDisposition.BecomeDownload };
        await using var session = NewSession(recorder);
        var dataTask = session.CreateDataTask(Url($"size={Size}&seed=9"));
        dataTask.Resume();

        var download = await recorder.BecameDownload.Within();
        (await recorder.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(Size, 9));
        await download.Completion.Within();
        download.Error.Should().BeNull();
        download.CountOfBytesReceived.Should().Be(Size);
        ProgressAddsUp(recorder, Size, Size);
        (await recorder.Completed.Within()).Should().BeNull();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task Cancel_without_resume_data_leaves_the_download_folder_empty()
    {
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var (task, stall) = await StartStalledAsync(session, recorder, seed: 10, stallAt: 8000);
        Directory.EnumerateFiles(_folder).Should().ContainSingle("the partial file is in the session's folder");

        task.Cancel();
        (await recorder.Completed.Within())!.Code.Should().Be(UrlErrorCode.Cancelled);
        await task.Completion.Within();
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
        stall.Release();
    }

    [Fact]
    public async Task InvalidateAndCancel_with_running_downloads_leaves_the_download_folder_empty()
    {
        var gate = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        var session = NewSession(recorder);
        await using var _ = session;
        var tasks = Enumerable.Range(0, 3)
            .Select(i => session.CreateDownloadTask(Url($"size={Size}&seed={20 + i}&stall={gate}-{i}&stallat={4000 + i}")))
            .ToList();
        var reached = new List<Task>();
        foreach (var (task, i) in tasks.Select((t, i) => (t, i)))
        {
            var each = new RecordingDelegate();
            each.Start(task);
            reached.Add(each.WrittenReached(4000 + i));
        }

        await Task.WhenAll(reached).Within();
        Directory.EnumerateFiles(_folder).Should().HaveCount(3);

        session.InvalidateAndCancel();
        await recorder.Invalidated.Within();
        await Task.WhenAll(tasks.Select(t => t.Completion)).Within();
        tasks.Should().OnlyContain(t => t.Error != null && t.Error.Code == UrlErrorCode.Cancelled);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
        for (var i = 0; i < 3; i++)
        {
            server.Gates.Stall($"{gate}-{i}").Release();
        }
    }

    [Fact]
    public async Task Eight_parallel_downloads_in_one_session_all_end_identical()
    {
        await using var session = NewSession();
        var downloads = Enumerable.Range(0, 8).Select(i => session.DownloadAsync(Url($"size={Size + i * 1000}&seed={100 + i}"))).ToList();
        var results = await Task.WhenAll(downloads).Within();
        for (var i = 0; i < results.Length; i++)
        {
            RecordingDelegate.Hash(results[i].Location).Should().Be(DownloadEndpoints.Sha256(Size + i * 1000, 100 + i));
            File.Delete(results[i].Location);
        }
    }

    [Fact]
    public async Task Suspend_and_Resume_mid_body_end_identical()
    {
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var (task, stall) = await StartStalledAsync(session, recorder, seed: 61, stallAt: 3000);
        task.Suspend();
        task.State.Should().Be(SessionTaskState.Suspended);
        stall.Release();

        await recorder.RunToEndAsync(task, DownloadEndpoints.Sha256(Size, 61));
        ProgressAddsUp(recorder, Size, Size);
    }

    [Fact]
    public async Task An_empty_body_is_handed_over_as_an_empty_file()
    {
        var recorder = new RecordingDelegate();
        await using var session = NewSession(recorder);
        var task = await recorder.RunToEndAsync(session.CreateDownloadTask(Url("size=0&seed=11")), Convert.ToHexString(SHA256.HashData(Array.Empty<byte>())));
        task.CountOfBytesReceived.Should().Be(0);
        task.CountOfBytesExpectedToReceive.Should().Be(0);
        Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
    }

    [Fact]
    public async Task An_error_status_is_a_response_whose_body_is_downloaded()
    {
        await using var session = NewSession();
        var (location, response) = await session.DownloadAsync(server.HttpUrl("/status/404")).Within();
        ((HttpUrlResponse)response).StatusCode.Should().Be(404);
        (await File.ReadAllTextAsync(location)).Should().Be("status 404");
        File.Delete(location);
    }
}
