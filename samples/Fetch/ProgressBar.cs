using System.Globalization;

namespace UrlSessions.Samples.Fetch;

/// <summary>One line: <c>[#########.........]  42%  1.5 MiB / 4.0 MiB  2.1 MiB/s  ETA 1s</c>.</summary>
internal static class ProgressBar
{
    private const int Width = 30;

    public static string Render(long done, long total, double bytesPerSecond)
    {
        var rate = $"{Size(bytesPerSecond)}/s";
        if (total <= 0)
        {
            return $"[{new string('?', Width)}]  {Size(done)}  {rate}";
        }

        var fraction = Math.Clamp((double)done / total, 0, 1);
        var filled = (int)(fraction * Width);
        var eta = bytesPerSecond > 0 ? Eta((total - done) / bytesPerSecond) : "--";
        return string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', Width - filled)}] {fraction * 100,3:0}%  {Size(done)} / {Size(total)}  {rate}  ETA {eta}");
    }

    private static string Size(double bytes) => bytes switch
    {
        >= 1024 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024 * 1024):0.00} GiB"),
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):0.0} MiB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
    };

    private static string Eta(double seconds) => seconds switch
    {
        < 60 => $"{Math.Ceiling(seconds):0}s",
        < 3600 => $"{(int)(seconds / 60)}m{(int)(seconds % 60):00}s",
        _ => $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):00}m",
    };
}
