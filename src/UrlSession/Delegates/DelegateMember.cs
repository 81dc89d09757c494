namespace UrlSessions;

/// <summary>Each delegate event, as a flag, so the members a delegate type implements fit in one cached value.</summary>
[Flags]
internal enum DelegateMember
{
    None = 0,
    SessionDidBecomeInvalid = 1 << 0,
    SessionDidReceiveChallenge = 1 << 1,
    DidFinishEventsForBackgroundSession = 1 << 2,
    DidCreateTask = 1 << 3,
    WillBeginDelayedRequest = 1 << 4,
    TaskIsWaitingForConnectivity = 1 << 5,
    WillPerformHttpRedirection = 1 << 6,
    TaskDidReceiveChallenge = 1 << 7,
    NeedNewBodyStream = 1 << 8,
    DidSendBodyData = 1 << 9,
    DidReceiveInformationalResponse = 1 << 10,
    DidFinishCollectingMetrics = 1 << 11,
    DidComplete = 1 << 12,
    DidReceiveResponse = 1 << 13,
    DidReceiveData = 1 << 14,
    WillCacheResponse = 1 << 15,
    DidBecomeDownloadTask = 1 << 16,
    DidFinishDownloading = 1 << 17,
    DidWriteData = 1 << 18,
    DidResumeAtOffset = 1 << 19,
    DidBecomeStreamTask = 1 << 20,
    ReadClosed = 1 << 21,
    WriteClosed = 1 << 22,
}
