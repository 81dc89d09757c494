namespace UrlSessions;

internal static class TimeoutArgument
{
    public static TimeSpan Validate(TimeSpan value)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        return value;
    }
}
