using System.Diagnostics;
using System.Security.Cryptography;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Downloads;

/// <summary>A real full disk: a 256 KiB tmpfs as the download folder (Linux, as root, as on this project's machines and CI).</summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly string _mountPoint = Directory.CreateTempSubdirectory("urlsession-tinyfs-").FullName;
    private readonly bool _mounted;

    public DiskFullTests()
    {
        _mounted = OperatingSystem.IsLinux() && Run("mount", $"-t tmpfs -o size=256k tmpfs {_mountPoint}") == 0;
    }

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", _mountPoint);
        }

        Directory.Delete(_mountPoint, recursive: true);
    }

    [Fact]
    public async Task Full_disk_fails_with_CannotWriteToFile_and_resume_data_that_finishes_once_there_is_room()
    {
        Assert.True(_mounted, "mounting a tmpfs needs Linux and root, which this project's machines and CI have");
        var content = RandomNumberGenerator.GetBytes(600_000);
        await using var session = TestSessions.Mock(() => new RangeServingHandler(content), configure: c => c.DownloadDirectory = _mountPoint);

        var act = () => session.DownloadAsync(new Uri("http://example.test/big.bin"));
        var error = (await act.Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.CannotWriteToFile);
        error.DownloadTaskResumeData.Should().NotBeNull();
        Run("mount", $"-o remount,size=2m tmpfs {_mountPoint}").Should().Be(0);
        var (location, _) = await session.DownloadAsync(error.DownloadTaskResumeData!);
        File.ReadAllBytes(location).Should().Equal(content);
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
