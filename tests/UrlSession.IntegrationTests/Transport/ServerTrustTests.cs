using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace UrlSessions.IntegrationTests.Transport;

/// <summary>Server-trust challenges over Kestrel's TLS endpoint (self-signed certificate, HTTP/1.1 and HTTP/2).</summary>
public sealed class ServerTrustTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task The_tasks_own_delegate_is_asked_before_the_session_delegate_and_HTTP2_still_negotiates()
    {
        var sessionDelegate = new RecordingDelegate { TrustedCertificate = server.Certificate };
        var taskDelegate = new ScriptedTrust(server.Certificate);
        await using var session = TestSessions.Ephemeral(sessionDelegate);

        var (data, response) = await session.DataAsync(server.HttpsUrl("/echo"), taskDelegate).Within();

        taskDelegate.Challenges.Should().ContainSingle();
        taskDelegate.Challenges.Single().Task.Should().NotBeNull();
        sessionDelegate.ServerTrustChallenges.Should().Be(0);
        ((HttpUrlResponse)response).HttpVersion.Should().Be(new Version(2, 0));
        EchoResult.Parse(data).Protocol.Should().Be("HTTP/2");
    }

    [Fact]
    public async Task A_session_delegate_with_only_the_task_level_method_is_asked_with_the_task()
    {
        var sessionDelegate = new ScriptedTrust(server.Certificate);
        await using var session = TestSessions.Ephemeral(sessionDelegate);
        var done = new TaskCompletionSource<UrlError?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = session.CreateDataTask(server.HttpsUrl("/hello"), (_, _, error) => done.TrySetResult(error));
        task.Resume();

        (await done.Task.Within()).Should().BeNull();
        sessionDelegate.Challenges.Should().ContainSingle().Which.Task.Should().BeSameAs(task);
    }

    [Fact]
    public async Task The_protection_space_carries_the_servers_real_port()
    {
        var trust = new ScriptedTrust(server.Certificate);
        await using var session = TestSessions.Ephemeral(trust);

        await session.DataAsync(server.HttpsUrl("/hello")).Within();

        var space = trust.Challenges.Should().ContainSingle().Which.Challenge.ProtectionSpace;
        space.Port.Should().Be(server.HttpsPort).And.NotBe(443);
        space.Host.Should().Be("127.0.0.1");
        space.Protocol.Should().Be("https");
        space.AuthenticationMethod.Should().Be(ProtectionSpace.AuthenticationMethodServerTrust);
    }

    [Fact]
    public async Task Cancelling_the_challenge_fails_the_task_with_Cancelled()
    {
        var trust = new ScriptedTrust(server.Certificate, AuthChallengeDisposition.CancelAuthenticationChallenge);
        await using var session = TestSessions.Ephemeral(trust);

        var error = await FailureOf(session, server.HttpsUrl("/hello"));

        error.Code.Should().Be(UrlErrorCode.Cancelled);
        error.FailingUrl.Should().Be(server.HttpsUrl("/hello"));
    }

    [Fact]
    public async Task A_connection_after_a_refusal_asks_again_and_can_be_trusted()
    {
        var trust = new ScriptedTrust(server.Certificate, AuthChallengeDisposition.CancelAuthenticationChallenge, AuthChallengeDisposition.UseCredential);
        await using var session = TestSessions.Ephemeral(trust);

        (await FailureOf(session, server.HttpsUrl("/hello"))).Code.Should().Be(UrlErrorCode.Cancelled);
        var (data, _) = await session.DataAsync(server.HttpsUrl("/hello")).Within();

        data.Should().NotBeEmpty();
        trust.Challenges.Should().HaveCount(2);
    }

    [Fact]
    public async Task Default_handling_keeps_the_platforms_verdict()
    {
        var trust = new ScriptedTrust(server.Certificate, AuthChallengeDisposition.PerformDefaultHandling);
        await using var session = TestSessions.Ephemeral(trust);

        var error = await FailureOf(session, server.HttpsUrl("/hello"));

        error.Code.Should().Be(UrlErrorCode.ServerCertificateUntrusted);
        trust.Challenges.Should().ContainSingle().Which.Challenge.SslPolicyErrors.Should().HaveFlag(SslPolicyErrors.RemoteCertificateChainErrors);
    }

    [Fact]
    public async Task The_handshake_completes_while_the_delegate_is_still_deciding()
    {
        // A TLS server of our own, to see the handshake finish on its side: no thread on the client waits inside
        // certificate validation for the delegate.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        var handshakeDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serverSide = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = server.Certificate });
            handshakeDone.TrySetResult();
            await release.Task;
        });
        var trust = new ScriptedTrust(server.Certificate, AuthChallengeDisposition.CancelAuthenticationChallenge) { Gate = release.Task };
        await using var session = TestSessions.Ephemeral(trust);

        var failure = FailureOf(session, url);
        await trust.Asked.Within();
        await handshakeDone.Task.Within();
        release.SetResult();

        (await failure).Code.Should().Be(UrlErrorCode.Cancelled);
        await serverSide.Within();
    }

    [Fact]
    public async Task Several_connections_wait_for_a_slow_delegate_at_once_and_all_complete()
    {
        const int Connections = 8;
        var allAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = 0;
        var sessions = new List<UrlSession>();
        try
        {
            var loads = new List<Task<(byte[] Data, UrlResponse Response)>>();
            for (var i = 0; i < Connections; i++)
            {
                // One session each: its own handler, so its own connection and challenge.
                var trust = new ScriptedTrust(server.Certificate)
                {
                    Gate = allAsked.Task,
                    OnAsked = () =>
                    {
                        if (Interlocked.Increment(ref asked) == Connections)
                        {
                            allAsked.TrySetResult();
                        }
                    },
                };
                var session = TestSessions.Ephemeral(trust);
                sessions.Add(session);
                loads.Add(session.DataAsync(server.HttpsUrl("/hello")));
            }

            await allAsked.Task.Within();
            (await Task.WhenAll(loads).Within()).Should().AllSatisfy(load => load.Data.Should().NotBeEmpty());
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    private static async Task<UrlError> FailureOf(UrlSession session, Uri url) =>
        (await FluentActions.Awaiting(() => session.DataAsync(url).Within()).Should().ThrowAsync<UrlError>()).Which;

    /// <summary>Answers server-trust challenges through the task-level method, one scripted disposition per challenge.</summary>
    private sealed class ScriptedTrust(System.Security.Cryptography.X509Certificates.X509Certificate2 trusted, params AuthChallengeDisposition[] script) : ISessionTaskDelegate
    {
        private readonly ConcurrentQueue<(SessionTask Task, AuthenticationChallenge Challenge)> _challenges = new();
        private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<(SessionTask Task, AuthenticationChallenge Challenge)> Challenges => [.. _challenges];

        public Task Asked => _asked.Task;

        /// <summary>The answer waits for this (a delegate that asks the user, say).</summary>
        public Task Gate { get; init; } = Task.CompletedTask;

        public Action? OnAsked { get; init; }

        public async ValueTask<ChallengeResponse> DidReceiveChallengeAsync(UrlSession session, SessionTask task, AuthenticationChallenge challenge)
        {
            if (challenge.ProtectionSpace.AuthenticationMethod != ProtectionSpace.AuthenticationMethodServerTrust)
            {
                return ChallengeResponse.PerformDefaultHandling;
            }

            _challenges.Enqueue((task, challenge));
            var index = _challenges.Count - 1;
            _asked.TrySetResult();
            OnAsked?.Invoke();
            await Gate;
            var disposition = script.Length == 0 ? AuthChallengeDisposition.UseCredential : script[Math.Min(index, script.Length - 1)];
            return disposition == AuthChallengeDisposition.UseCredential
                ? RecordingDelegate.Trust(trusted, challenge)
                : new ChallengeResponse(disposition);
        }
    }
}
