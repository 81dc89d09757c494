namespace UrlSessions.IntegrationTests.Helpers;

/// <summary>
/// A running data task on /slow, in its own session whose delegate is a <see cref="RecordingDelegate"/>; the test sends
/// the body chunk by chunk through <see cref="Gate"/>. Tests that pace a body this way share the setup from here.
/// </summary>
public sealed record SlowTransfer(SlowGate Gate, RecordingDelegate Recorder, UrlSession Session, DataTask DataTask) : IAsyncDisposable
{
    /// <summary>Starts the task and returns once its response arrived (the server sends headers before any chunk).</summary>
    public static async Task<SlowTransfer> StartAsync(LoopbackServer server, Action<SessionConfiguration>? configure = null)
    {
        var id = GateRegistry.NewId();
        var recorder = new RecordingDelegate();
        var session = TestSessions.Ephemeral(recorder, configure);
        var transfer = new SlowTransfer(server.Gates.Slow(id), recorder, session, session.CreateDataTask(server.HttpUrl($"/slow?id={id}")));
        try
        {
            transfer.DataTask.Resume();
            await recorder.Response.Within();
            return transfer;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public void Deconstruct(out SlowGate gate, out RecordingDelegate recorder, out DataTask dataTask)
    {
        gate = Gate;
        recorder = Recorder;
        dataTask = DataTask;
    }

    public ValueTask DisposeAsync() => Session.DisposeAsync();
}
