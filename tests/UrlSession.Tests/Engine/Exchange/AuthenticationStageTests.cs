using System.Net;

namespace UrlSessions.Tests.Engine.Exchange;

public sealed class AuthenticationStageTests
{
    private static HttpResponseMessage Challenge(string realm)
    {
        var message = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        message.Headers.WwwAuthenticate.ParseAdd($"Basic realm=\"{realm}\"");
        return message;
    }

    [Fact]
    public async Task A_401_answered_with_a_credential_is_sent_again_with_it()
    {
        var next = new ScriptedStage((c, _) => c.Credential is null ? Challenge("vault") : new HttpResponseMessage(HttpStatusCode.OK));
        var stage = next.Behind(new AuthenticationStage(SessionServices.From(SessionConfiguration.Ephemeral)));
        var credential = UrlCredential.ForUser("ann", "secret", CredentialPersistence.None);
        var host = new FakeExchangeHost { Challenge = _ => new ChallengeResponse(AuthChallengeDisposition.UseCredential, credential) };

        using var response = await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")), host));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        next.Sends.Select(s => s.Credential).Should().Equal(null, credential);
        host.Events.Should().Contain("challenge vault #0");
    }

    [Fact]
    public async Task Without_a_stored_credential_default_handling_returns_the_401()
    {
        var next = new ScriptedStage((_, _) => Challenge("vault"));
        var stage = next.Behind(new AuthenticationStage(SessionServices.From(SessionConfiguration.Ephemeral)));

        using var response = await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/"))));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        next.Sends.Should().ContainSingle();
    }

    [Fact]
    public async Task A_cancelled_challenge_cancels_the_task_and_throws()
    {
        using var cancellation = new CancellationTokenSource();
        var next = new ScriptedStage((_, _) => Challenge("vault"));
        var stage = next.Behind(new AuthenticationStage(SessionServices.From(SessionConfiguration.Ephemeral)));
        var host = new FakeExchangeHost();
        host.Challenge = _ =>
        {
            cancellation.Cancel();
            return new ChallengeResponse(AuthChallengeDisposition.CancelAuthenticationChallenge);
        };

        var act = async () => await stage.SendAsync(FakeExchangeHost.Context(new UrlRequest(new Uri("http://example.test/")), host, cancellation: cancellation.Token));

        await act.Should().ThrowAsync<OperationCanceledException>();
        host.CancelCount.Should().Be(1);
    }

    [Fact]
    public async Task A_stream_body_sent_again_needs_a_new_stream_and_fails_clearly_without_one()
    {
        var next = new ScriptedStage((_, _) => Challenge("vault"));
        var stage = next.Behind(new AuthenticationStage(SessionServices.From(SessionConfiguration.Ephemeral)));
        var host = new FakeExchangeHost { Challenge = _ => new ChallengeResponse(AuthChallengeDisposition.UseCredential, UrlCredential.ForUser("a", "b", CredentialPersistence.None)) };
        var request = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Put, Body = RequestBody.FromStream(new MemoryStream([1, 2, 3])) };

        var act = async () => await stage.SendAsync(FakeExchangeHost.Context(request, host));

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.RequestBodyStreamExhausted);
        host.Events.Should().Contain("need new body stream");
        next.Sends.Should().ContainSingle();
    }

    [Fact]
    public async Task A_stream_body_sent_again_goes_out_with_the_delegates_new_stream()
    {
        var next = new ScriptedStage((c, _) => c.Credential is null ? Challenge("vault") : new HttpResponseMessage(HttpStatusCode.OK));
        var stage = next.Behind(new AuthenticationStage(SessionServices.From(SessionConfiguration.Ephemeral)));
        var fresh = new MemoryStream([1, 2, 3]);
        var host = new FakeExchangeHost
        {
            Challenge = _ => new ChallengeResponse(AuthChallengeDisposition.UseCredential, UrlCredential.ForUser("a", "b", CredentialPersistence.None)),
            NewBodyStream = () => fresh,
        };
        var request = new UrlRequest(new Uri("http://example.test/")) { Method = HttpMethod.Put, Body = RequestBody.FromStream(new MemoryStream([1, 2, 3])) };

        using var response = await stage.SendAsync(FakeExchangeHost.Context(request, host));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        next.Sends.Select(s => s.Replacement).Should().Equal(null, fresh);
    }
}
