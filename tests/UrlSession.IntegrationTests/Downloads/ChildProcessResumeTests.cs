using System.Diagnostics;

namespace UrlSessions.IntegrationTests.Downloads;

public sealed class ChildProcessResumeTests(LoopbackServer server) : IClassFixture<LoopbackServer>, IDisposable
{
    private const int Size = DownloadEndpoints.DefaultSize;
    private readonly string _folder = DownloadFiles.NewFolder();

    public void Dispose() => DownloadFiles.DeleteFolder(_folder);

    /// <summary>tests/UrlSession.ResumeChild's build output, beside this project's (same configuration and framework).</summary>
    private static string ChildDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var tests = output.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(tests, "UrlSession.ResumeChild", "bin", configuration, framework, "UrlSession.ResumeChild.dll");
        File.Exists(dll).Should().BeTrue($"the child project is built with the tests ({dll})");
        return dll;
    }

    [Fact]
    public async Task Resume_data_from_another_process_finishes_the_download_identical()
    {
        var gate = GateRegistry.NewId();
        var log = GateRegistry.NewId();
        var blobPath = Path.Combine(_folder, "..", $"child-{gate}.resume");
        var url = server.HttpUrl($"/dl/child.bin?seed=51&stall={gate}&stallat={Size - 1}&log={log}");

        // The server holds the last byte until released, so the child pauses before the end whatever its speed.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { ChildDll(), url.AbsoluteUri, _folder, "200000", blobPath })
        {
            start.ArgumentList.Add(argument);
        }

        using (var child = Process.Start(start)!)
        {
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            try
            {
                await child.WaitForExitAsync().Within();
            }
            catch (TimeoutException)
            {
                child.Kill(entireProcessTree: true);
                throw;
            }

            child.ExitCode.Should().Be(0, $"the child pauses and writes its blob (stdout: {await stdout}, stderr: {await stderr})");
        }

        try
        {
            var blob = await File.ReadAllBytesAsync(blobPath);
            var offset = DownloadFiles.BlobOffset(blob);
            offset.Should().BeInRange(200_000, Size - 1);
            Directory.EnumerateFiles(_folder).Should().ContainSingle("the child left its partial file for the blob");
            server.Gates.Stall(gate).Release();

            var recorder = new RecordingDelegate();
            await using var session = TestSessions.Ephemeral(recorder, c => c.DownloadDirectory = _folder);
            session.CreateDownloadTask(blob).Resume();
            (await recorder.Completed.Within()).Should().BeNull();
            (await recorder.Finished.Within()).Should().Be(DownloadEndpoints.Sha256(Size, 51));
            recorder.Resumes.Should().Equal((offset, (long)Size));
            var resumed = DownloadEndpoints.Requests(log)[^1];
            resumed.Range.Should().Be($"bytes={offset}-");
            resumed.Status.Should().Be(206);
            Directory.EnumerateFileSystemEntries(_folder).Should().BeEmpty();
        }
        finally
        {
            File.Delete(blobPath);
        }
    }
}
