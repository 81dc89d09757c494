namespace UrlSessions;

/// <summary>The answer to a challenge: a disposition and, for <see cref="AuthChallengeDisposition.UseCredential"/>, a credential.</summary>
/// <param name="Disposition">How the challenge is answered.</param>
/// <param name="Credential">The credential to use.</param>
public readonly record struct ChallengeResponse(AuthChallengeDisposition Disposition, UrlCredential? Credential = null)
{
    /// <summary>Do what the session would do without a delegate.</summary>
    public static ChallengeResponse PerformDefaultHandling { get; } = new(AuthChallengeDisposition.PerformDefaultHandling);
}
