namespace UrlSessions;

/// <summary>What one send of a task learned from 401 challenges so far.</summary>
internal sealed class HttpChallengeState
{
    public UrlCredential? Credential { get; set; }

    public int PreviousFailureCount { get; set; }
}
