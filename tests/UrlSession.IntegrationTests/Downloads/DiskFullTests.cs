using System.Diagnostics;

namespace UrlSessions.IntegrationTests.Downloads;

/// <summary>A real full disk: a 256 KiB tmpfs as the download folder, where the machine allows it (Linux, root).</summary>
public sealed class DiskFullTests(LoopbackServer server) : IClassFixture<LoopbackServer>, IDisposable
{
    private readonly string _mountPoint = Directory.CreateTempSubdirectory("urlsession-it-tinyfs-").FullName;
    private bool _mounted;

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", _mountPoint);
        }

        Directory.Delete(_mountPoint, recursive: true);
    }

    [Fact]
    public async Task A_full_disk_fails_with_CannotWriteToFile_and_resume_data_that_finishes_once_there_is_room()
    {
        _mounted = OperatingSystem.IsLinux() && Run("mount", $"-t tmpfs -o size=256k tmpfs {_mountPoint}") == 0;
        if (!_mounted)
        {
            // No tmpfs here (not Linux or not root): the unit tests' DiskFullTests say so; nothing to check.
            return;
        }

        await using var session = TestSessions.Ephemeral(configure: c => c.DownloadDirectory = _mountPoint);
        var error = await Assert.ThrowsAsync<UrlError>(() => session.DownloadAsync(server.HttpUrl("/dl/full.bin?seed=60&size=600000")).Within());
        error.Code.Should().Be(UrlErrorCode.CannotWriteToFile);
        error.DownloadTaskResumeData.Should().NotBeNull();
        DownloadFiles.BlobOffset(error.DownloadTaskResumeData!).Should().BeInRange(1, 256 * 1024);

        Run("mount", $"-o remount,size=2m tmpfs {_mountPoint}").Should().Be(0);
        var (location, _) = await session.DownloadAsync(error.DownloadTaskResumeData!).Within();
        RecordingDelegate.Hash(location).Should().Be(DownloadEndpoints.Sha256(600_000, 60));
        File.Delete(location);
    }

    private static int Run(string command, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
