namespace UrlSessions.Samples.QuickTour;

/// <summary>Console output for the tour: numbered sections and indented lines.</summary>
internal static class Tour
{
    private static readonly Lock ConsoleLock = new();
    private static int _section;

    public static void Section(string title)
    {
        lock (ConsoleLock)
        {
            Console.WriteLine();
            Console.WriteLine($"== {++_section}. {title} ==");
        }
    }

    public static void Print(string line)
    {
        lock (ConsoleLock)
        {
            Console.WriteLine("   " + line);
        }
    }
}
