using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Support;

/// <summary>A running data task whose response body the test feeds, started and waiting for its first bytes.</summary>
internal sealed class GatedTransfer : IAsyncDisposable
{
    private GatedTransfer(MockHttpMessageHandler mock, GatedStream body, UrlSession session, DataTask task)
    {
        Mock = mock;
        Body = body;
        Session = session;
        Task = task;
    }

    public MockHttpMessageHandler Mock { get; }

    public GatedStream Body { get; }

    public UrlSession Session { get; }

    public DataTask Task { get; }

    public static async Task<GatedTransfer> StartAsync(Uri url, ISessionDelegate? sessionDelegate = null)
    {
        var mock = new MockHttpMessageHandler();
        var body = new GatedStream();
        mock.When(url.ToString()).Respond(_ => body.Response());
        var session = TestSessions.Mock(mock, sessionDelegate);
        var task = session.CreateDataTask(url);
        task.Resume();
        await body.WaitForBlockedReadAsync(1);
        return new GatedTransfer(mock, body, session, task);
    }

    /// <summary>For tests that end the session themselves (invalidation, disposal) instead of with await using.</summary>
    public void Deconstruct(out UrlSession session, out GatedStream body, out DataTask task)
    {
        session = Session;
        body = Body;
        task = Task;
    }

    public ValueTask DisposeAsync() => Session.DisposeAsync();
}
