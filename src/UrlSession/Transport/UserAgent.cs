using System.Reflection;
using System.Runtime.InteropServices;

namespace UrlSessions;

internal static class UserAgent
{
    /// <summary>"UrlSession/1.2.3 (.NET 10.0.1; Linux)": product, runtime and OS, as servers' logs expect.</summary>
    public static string Default { get; } = Build();

    private static string Build()
    {
        var version = typeof(UserAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var plus = version.IndexOf('+');
        if (plus >= 0)
        {
            version = version[..plus];
        }

        var os = OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsMacOS() ? "macOS" : OperatingSystem.IsLinux() ? "Linux" : RuntimeInformation.OSDescription;
        return $"UrlSession/{version} (.NET {Environment.Version}; {os})";
    }
}
