namespace UrlSessions.Samples.QuickTour;

/// <summary>A per-task delegate that counts DidSendBodyData events (they arrive on the session's delegate queue).</summary>
internal sealed class UploadProgress : ISessionTaskDelegate
{
    private int _events;
    private long _total;
    private long _expected;

    public string Summary => $"{_events} DidSendBodyData events, {_total} of {_expected} bytes sent";

    public void DidSendBodyData(UrlSession session, SessionTask task, long bytesSent, long totalBytesSent, long totalBytesExpectedToSend)
    {
        _events++;
        _total = totalBytesSent;
        _expected = totalBytesExpectedToSend;
    }
}
