namespace UrlSessions;

/// <summary>How a challenge is answered.</summary>
public enum AuthChallengeDisposition
{
    /// <summary>Use the credential given in <see cref="ChallengeResponse.Credential"/>.</summary>
    UseCredential,
    /// <summary>Do what the session would do without a delegate.</summary>
    PerformDefaultHandling,
    /// <summary>Cancel the task.</summary>
    CancelAuthenticationChallenge,
    /// <summary>Decline this protection space; the response is delivered as it is.</summary>
    RejectProtectionSpace,
}
