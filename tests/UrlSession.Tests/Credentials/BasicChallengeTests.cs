using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Credentials;

public sealed class BasicChallengeTests
{
    private static readonly Uri Url = new("https://example.test/private");
    private static readonly string Expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret"));

    private static (MockHttpMessageHandler Mock, ConcurrentQueue<Received> Received) Server(string challengeHeader = "Basic realm=\"vault\"")
    {
        var mock = new MockHttpMessageHandler();
        var received = new ConcurrentQueue<Received>();
        mock.When(Url.ToString()).Respond(request =>
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            received.Enqueue(new Received(request.Method, request.RequestUri!, null, null, headers));
            if (headers.GetValueOrDefault("Authorization") == Expected)
            {
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("welcome") };
            }

            var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("who are you") };
            challenge.Headers.WwwAuthenticate.ParseAdd(challengeHeader);
            return challenge;
        });
        return (mock, received);
    }

    [Fact]
    public async Task A_credential_from_the_delegate_answers_a_Basic_challenge()
    {
        var (mock, received) = Server();
        var recorder = new ChallengeDelegate(UrlCredential.ForUser("alice", "s3cret", CredentialPersistence.None));
        await using var session = TestSessions.Mock(mock, recorder);

        var (data, response) = await session.DataAsync(Url);

        data.Should().Equal("welcome"u8.ToArray());
        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        received.Select(r => r.Headers.GetValueOrDefault("Authorization")).Should().Equal(null, Expected);
        var challenge = recorder.Challenges.Single();
        challenge.ProtectionSpace.Realm.Should().Be("vault");
        challenge.ProtectionSpace.AuthenticationMethod.Should().Be(ProtectionSpace.AuthenticationMethodHttpBasic);
        challenge.PreviousFailureCount.Should().Be(0);
        challenge.FailureResponse!.StatusCode.Should().Be(401);
    }

    [Theory]
    [InlineData("Basic xrealm=\"evil\", realm=\"vault\"", "vault")]
    [InlineData("Basic charset=\"realm=evil\", realm=\"vault\"", "vault")]
    [InlineData("Basic realm=\"the \\\"vault\\\"\", charset=\"UTF-8\"", "the \"vault\"")]
    [InlineData("Basic charset=UTF-8, realm=vault", "vault")]
    [InlineData("Basic charset=\"UTF-8\"", null)]
    public async Task The_protection_space_realm_is_the_realm_parameter_and_no_other(string header, string? realm)
    {
        var (mock, _) = Server(header);
        var recorder = new ChallengeDelegate(UrlCredential.ForUser("alice", "s3cret", CredentialPersistence.None));
        await using var session = TestSessions.Mock(mock, recorder);

        await session.DataAsync(Url);

        recorder.Challenges.Single().ProtectionSpace.Realm.Should().Be(realm);
    }

    [Fact]
    public async Task A_wrong_credential_is_retried_with_a_growing_failure_count_then_the_401_is_delivered()
    {
        var (mock, received) = Server();
        var recorder = new ChallengeDelegate(UrlCredential.ForUser("alice", "wrong", CredentialPersistence.None), maxAnswers: 3);
        await using var session = TestSessions.Mock(mock, recorder);

        var (data, response) = await session.DataAsync(Url);

        ((HttpUrlResponse)response).StatusCode.Should().Be(401);
        data.Should().Equal("who are you"u8.ToArray());
        recorder.Challenges.Select(c => c.PreviousFailureCount).Should().Equal(0, 1, 2, 3);
        received.Should().HaveCount(4);
    }

    [Fact]
    public async Task Without_a_delegate_the_401_is_the_response()
    {
        var (mock, received) = Server();
        await using var session = TestSessions.Mock(mock);

        var (_, response) = await session.DataAsync(Url);

        ((HttpUrlResponse)response).StatusCode.Should().Be(401);
        received.Should().ContainSingle();
    }

    [Fact]
    public async Task A_session_persisted_credential_is_used_by_default_on_the_next_task()
    {
        var (mock, received) = Server();
        var recorder = new ChallengeDelegate(UrlCredential.ForUser("alice", "s3cret", CredentialPersistence.ForSession), maxAnswers: 1);
        await using var session = TestSessions.Mock(mock, recorder);
        await session.DataAsync(Url);

        var (_, response) = await session.DataAsync(Url);

        ((HttpUrlResponse)response).StatusCode.Should().Be(200);
        recorder.Challenges.Should().HaveCount(2);
        recorder.Challenges.Last().ProposedCredential!.User.Should().Be("alice");
    }

    [Fact]
    public async Task Cancelling_the_challenge_cancels_the_task()
    {
        var (mock, _) = Server();
        var recorder = new ChallengeDelegate(null);
        await using var session = TestSessions.Mock(mock, recorder);

        var load = () => session.DataAsync(Url);

        (await load.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.Cancelled);
    }

    private sealed class ChallengeDelegate(UrlCredential? credential, int maxAnswers = int.MaxValue) : IDataTaskDelegate
    {
        public ConcurrentQueue<AuthenticationChallenge> Challenges { get; } = new();

        public ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, SessionTask task, AuthenticationChallenge challenge)
        {
            Challenges.Enqueue(challenge);
            if (credential is null)
            {
                return ValueTask.FromResult(new ChallengeResponse(AuthChallengeDisposition.CancelAuthenticationChallenge));
            }

            return ValueTask.FromResult(Challenges.Count > maxAnswers
                ? ChallengeResponse.PerformDefaultHandling
                : new ChallengeResponse(AuthChallengeDisposition.UseCredential, credential));
        }
    }
}
