using System.Text;

namespace UrlSessions.IntegrationTests.Credentials;

public sealed class BasicAuthTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task The_task_delegate_answers_a_basic_challenge()
    {
        var answering = new AnsweringDelegate(LoopbackEndpoints.BasicUser, LoopbackEndpoints.BasicPassword);
        await using var session = TestSessions.Ephemeral();

        var (data, response) = await session.DataAsync(server.HttpUrl("/auth/basic"), answering).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        Encoding.UTF8.GetString(data).Should().Be("authenticated as user");
        answering.Challenges.Should().ContainSingle();
        var challenge = answering.Challenges[0];
        challenge.ProtectionSpace.Realm.Should().Be("test");
        challenge.ProtectionSpace.AuthenticationMethod.Should().Be(ProtectionSpace.AuthenticationMethodHttpBasic);
        challenge.PreviousFailureCount.Should().Be(0);
    }

    [Fact]
    public async Task Wrong_credentials_are_retried_with_a_failure_count_then_the_401_is_delivered()
    {
        var answering = new AnsweringDelegate("user", "wrong") { GiveUpAfter = 2 };
        await using var session = TestSessions.Ephemeral();

        var (_, response) = await session.DataAsync(server.HttpUrl("/auth/basic"), answering).Within();

        ((HttpUrlResponse)response).StatusCode.Should().Be(401);
        answering.Challenges.Select(c => c.PreviousFailureCount).Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task Without_a_delegate_the_401_is_the_response()
    {
        await using var session = TestSessions.Ephemeral();

        var (_, response) = await session.DataAsync(server.HttpUrl("/auth/basic")).Within();

        var http = (HttpUrlResponse)response;
        http.StatusCode.Should().Be(401);
        http.Headers["WWW-Authenticate"].Should().Be("Basic realm=\"test\"");
    }

    [Fact]
    public async Task Cancelling_the_challenge_cancels_the_task()
    {
        var answering = new AnsweringDelegate("u", "p") { Cancel = true };
        await using var session = TestSessions.Ephemeral();

        var error = (await FluentActions.Awaiting(() => session.DataAsync(server.HttpUrl("/auth/basic"), answering).Within()).Should().ThrowAsync<UrlError>()).Which;

        error.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    private sealed class AnsweringDelegate(string user, string password) : ISessionTaskDelegate
    {
        public List<AuthenticationChallenge> Challenges { get; } = [];

        public int GiveUpAfter { get; init; } = int.MaxValue;

        public bool Cancel { get; init; }

        public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, SessionTask task, AuthenticationChallenge challenge)
        {
            Challenges.Add(challenge);
            if (Cancel)
            {
                return ValueTask.FromResult(new ChallengeResponse(AuthChallengeDisposition.CancelAuthenticationChallenge));
            }

            return ValueTask.FromResult(challenge.PreviousFailureCount >= GiveUpAfter
                ? new ChallengeResponse(AuthChallengeDisposition.RejectProtectionSpace)
                : new ChallengeResponse(AuthChallengeDisposition.UseCredential, UrlCredential.ForUser(user, password, CredentialPersistence.None)));
        }
    }
}
