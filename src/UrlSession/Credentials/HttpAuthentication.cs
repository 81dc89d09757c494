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

    public static async Task<UrlCredential?> AnswerAsync(IExchangeHost host, CredentialStorage? storage, UrlRequest request, HttpResponseMessage message, HttpChallengeState state, CancellationToken cancellation)
    {
        if (request.Headers.Contains("Authorization") || state.PreviousFailureCount >= MaxAttempts
            || ChooseScheme(message.Headers.WwwAuthenticate) is not { } challenge)
        {
            return null;
        }

        var method = string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            ? ProtectionSpace.AuthenticationMethodHttpBasic
            : ProtectionSpace.AuthenticationMethodDefault;
        var space = ProtectionSpace.For(request.Url, Realm(challenge), method);
        var proposed = storage?.GetDefaultCredential(space);
        var authenticationChallenge = new AuthenticationChallenge(space, state.PreviousFailureCount, ResponseFactory.Create(request.Url, message), proposed, serverCertificate: null, System.Net.Security.SslPolicyErrors.None);
        state.PreviousFailureCount++;

        var answer = await host.DecideChallengeAsync(authenticationChallenge).ConfigureAwait(false);

        switch (answer.Disposition)
        {
            case AuthChallengeDisposition.UseCredential when answer.Credential is { User: not null } credential:
                if (credential.Persistence != CredentialPersistence.None)
                {
                    storage?.SetDefaultCredential(credential, space);
                }

                return method == ProtectionSpace.AuthenticationMethodHttpBasic ? credential : null;
            case AuthChallengeDisposition.PerformDefaultHandling:
                // The stored credential gets one try; after that the 401 is the answer.
                return state.PreviousFailureCount == 1 && method == ProtectionSpace.AuthenticationMethodHttpBasic ? proposed : null;
            case AuthChallengeDisposition.CancelAuthenticationChallenge:
                host.Cancel();
                cancellation.ThrowIfCancellationRequested();
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

    /// <summary>The realm auth-param (RFC 9110 §11.2), read parameter by parameter so "xrealm=" or a quoted "realm=" inside another value is not taken for it.</summary>
    private static string? Realm(AuthenticationHeaderValue challenge)
    {
        var text = challenge.Parameter.AsSpan();
        while (true)
        {
            text = text.TrimStart(" \t,");
            var equals = text.IndexOf('=');
            if (equals <= 0)
            {
                return null;
            }

            var name = text[..equals].Trim();
            text = text[(equals + 1)..].TrimStart(" \t");
            string value;
            if (text.StartsWith("\""))
            {
                var quoted = new System.Text.StringBuilder();
                var i = 1;
                for (; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    quoted.Append(text[i]);
                }

                value = quoted.ToString();
                text = text[Math.Min(i + 1, text.Length)..];
            }
            else
            {
                var comma = text.IndexOf(',');
                value = (comma >= 0 ? text[..comma] : text).Trim().ToString();
                text = comma >= 0 ? text[comma..] : [];
            }

            if (name.Equals("realm", StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
    }
}
