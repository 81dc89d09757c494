namespace UrlSessions;

/// <summary>One header field of a <see cref="RequestSpec"/>; a list of these keeps order and repeated names.</summary>
internal sealed class HeaderFieldSpec
{
    public required string Name { get; init; }

    public required string Value { get; init; }
}
