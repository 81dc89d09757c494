using System.Net.Http.Headers;

namespace UrlSessions;

/// <summary>
/// Answers a 401 challenge: asks the task's delegate (or uses the credential storage by default) and says
/// which credential to send again with, or null to deliver the 401 as the response.
/// </summary>
internal static class HttpAuthentication
{
    /// <summary>A delegate that keeps answering with wrong credentials gets the 401 after this many tries.</summary>
    private const int MaxAttempts = 16;

    public static async Task<UrlCredential?> AnswerAsync(SessionTask task, UrlRequest request, HttpResponseMessage message, HttpChallengeState state)
    {
        if (request.Headers.Contains("Authorization") || state.PreviousFailureCount >= MaxAttempts
            || ChooseScheme(message.Headers.WwwAuthenticate) is not { } challenge)
        {
            return null;
        }

        var session = task.Session;
        var method = string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            ? ProtectionSpace.AuthenticationMethodHttpBasic
            : ProtectionSpace.AuthenticationMethodDefault;
        var space = ProtectionSpace.For(request.Url, Realm(challenge), method);
        var proposed = session.Settings.UrlCredentialStorage?.GetDefaultCredential(space);
        var authenticationChallenge = new AuthenticationChallenge(space, state.PreviousFailureCount, ResponseFactory.Create(request.Url, message), proposed, serverCertificate: null, System.Net.Security.SslPolicyErrors.None);
        state.PreviousFailureCount++;

        var target = task.DelegateFor<ISessionTaskDelegate>(DelegateMember.TaskDidReceiveChallenge);
        var answer = target is null
            ? ChallengeResponse.PerformDefaultHandling
            : await task.AskDelegateAsync(nameof(ISessionTaskDelegate.DidReceiveChallengeAsync), () => target.DidReceiveChallengeAsync(session, task, authenticationChallenge)).ConfigureAwait(false);

        switch (answer.Disposition)
        {
            case AuthChallengeDisposition.UseCredential when answer.Credential is { User: not null } credential:
                if (credential.Persistence != CredentialPersistence.None)
                {
                    session.Settings.UrlCredentialStorage?.SetDefaultCredential(credential, space);
                }

                return method == ProtectionSpace.AuthenticationMethodHttpBasic ? credential : null;
            case AuthChallengeDisposition.PerformDefaultHandling:
                // The stored credential gets one try; after that the 401 is the answer.
                return state.PreviousFailureCount == 1 && method == ProtectionSpace.AuthenticationMethodHttpBasic ? proposed : null;
            case AuthChallengeDisposition.CancelAuthenticationChallenge:
                task.Cancel();
                task.Cancellation.Token.ThrowIfCancellationRequested();
                return null;
            default:
                return null;
        }
    }

    private static AuthenticationHeaderValue? ChooseScheme(HttpHeaderValueCollection<AuthenticationHeaderValue> challenges)
    {
        AuthenticationHeaderValue? first = null;
        foreach (var challenge in challenges)
        {
            if (string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            {
                return challenge;
            }

            first ??= challenge;
        }

        return first;
    }

    private static string? Realm(AuthenticationHeaderValue challenge)
    {
        const string Key = "realm=";
        var parameter = challenge.Parameter;
        var start = parameter?.IndexOf(Key, StringComparison.OrdinalIgnoreCase) ?? -1;
        if (start < 0)
        {
            return null;
        }

        var value = parameter![(start + Key.Length)..];
        if (value.StartsWith('"'))
        {
            var end = value.IndexOf('"', 1);
            return end > 0 ? value[1..end] : value[1..];
        }

        var comma = value.IndexOf(',');
        return comma >= 0 ? value[..comma].Trim() : value.Trim();
    }
}
