using Microsoft.Win32.SafeHandles;

namespace UrlSessions;

/// <summary>Deleting a download's files: never throws, and a large finished file does not hold the task's completion.</summary>
internal static class DownloadFiles
{
    /// <summary>
    /// Deletes a finished file its owner did not move. Freeing a large file's blocks and cached pages takes tens of
    /// milliseconds per GiB (longer while writeback runs), and the task's completion waits for the delete: on Unix the
    /// name goes at once while a handle keeps the inode, and the thread pool closes that handle, which frees it.
    /// </summary>
    public static void DeleteFinishedFile(string path)
    {
        SafeFileHandle? handle = null;
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone or not ours to open: the plain delete below does what can be done.
            }
        }

        DeleteQuietly(path);
        if (handle is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static h => h.Dispose(), handle, preferLocal: false);
        }
    }

    public static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A file we cannot remove now is left in the session's download folder, never elsewhere.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
