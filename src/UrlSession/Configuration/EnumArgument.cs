namespace UrlSessions;

internal static class EnumArgument
{
    public static T Defined<T>(T value)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"{value} is not a defined {typeof(T).Name}.");
        }

        return value;
    }
}
