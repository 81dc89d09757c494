using System.Buffers.Binary;
using System.Text.Json;

namespace UrlSessions.IntegrationTests.Downloads;

/// <summary>Download folders, file hashes and resume blobs for the download tests.</summary>
public static class DownloadFiles
{
    /// <summary>
    /// Resumes a task whose events reach <paramref name="recorder"/> as the session's delegate, and checks that it ends
    /// without error, handing DidFinishDownloading a file that hashes to <paramref name="sha256"/>.
    /// </summary>
    public static async Task<DownloadTask> RunToEndAsync(this RecordingDelegate recorder, DownloadTask task, string sha256)
    {
        task.Resume();
        (await recorder.Completed.Within()).Should().BeNull();
        (await recorder.Finished.Within()).Should().Be(sha256);
        return task;
    }

    /// <summary>Hashes a file handed to the caller, then deletes it, so a failing hash check leaves nothing behind.</summary>
    public static string HashAndDelete(string path)
    {
        try
        {
            return RecordingDelegate.Hash(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The resume offset recorded in a blob (docs/resume-data.md: JSON payload after a 9-byte header).</summary>
    public static long BlobOffset(byte[] blob)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(5, 4));
        using var json = JsonDocument.Parse(blob.AsMemory(9, length));
        return json.RootElement.GetProperty("bytesReceived").GetInt64();
    }

    /// <summary>A fresh download folder for one test.</summary>
    public static string NewFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "UrlSession.IntegrationTests", "dl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a test's download folder; one still in use (a test that failed mid-download) is left rather than failing the cleanup.</summary>
    public static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
