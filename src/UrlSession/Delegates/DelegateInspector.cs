using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace UrlSessions;

/// <summary>
/// Finds which delegate members a type implements itself (not just the interface's default body), once per
/// type. Per-task delegates handle only those events; the session's delegate handles the rest, and an event
/// nobody implements is not dispatched at all.
/// </summary>
internal static class DelegateInspector
{
    private static readonly ConcurrentDictionary<Type, DelegateMember> Cache = new();

    private static readonly (Type Interface, string Method, DelegateMember Member)[] Members =
    [
        (typeof(ISessionDelegate), nameof(ISessionDelegate.DidBecomeInvalid), DelegateMember.SessionDidBecomeInvalid),
        (typeof(ISessionDelegate), nameof(ISessionDelegate.DidReceiveChallengeAsync), DelegateMember.SessionDidReceiveChallenge),
        (typeof(ISessionDelegate), nameof(ISessionDelegate.DidFinishEventsForBackgroundSession), DelegateMember.DidFinishEventsForBackgroundSession),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.DidCreateTask), DelegateMember.DidCreateTask),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.WillBeginDelayedRequestAsync), DelegateMember.WillBeginDelayedRequest),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.TaskIsWaitingForConnectivity), DelegateMember.TaskIsWaitingForConnectivity),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.WillPerformHttpRedirectionAsync), DelegateMember.WillPerformHttpRedirection),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.DidReceiveChallengeAsync), DelegateMember.TaskDidReceiveChallenge),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.NeedNewBodyStreamAsync), DelegateMember.NeedNewBodyStream),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.DidSendBodyData), DelegateMember.DidSendBodyData),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.DidReceiveInformationalResponse), DelegateMember.DidReceiveInformationalResponse),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.DidFinishCollectingMetrics), DelegateMember.DidFinishCollectingMetrics),
        (typeof(ISessionTaskDelegate), nameof(ISessionTaskDelegate.DidComplete), DelegateMember.DidComplete),
        (typeof(IDataTaskDelegate), nameof(IDataTaskDelegate.DidReceiveResponseAsync), DelegateMember.DidReceiveResponse),
        (typeof(IDataTaskDelegate), nameof(IDataTaskDelegate.DidReceiveData), DelegateMember.DidReceiveData),
        (typeof(IDataTaskDelegate), nameof(IDataTaskDelegate.WillCacheResponseAsync), DelegateMember.WillCacheResponse),
        (typeof(IDataTaskDelegate), nameof(IDataTaskDelegate.DidBecomeDownloadTask), DelegateMember.DidBecomeDownloadTask),
        (typeof(IDownloadTaskDelegate), nameof(IDownloadTaskDelegate.DidFinishDownloading), DelegateMember.DidFinishDownloading),
        (typeof(IDownloadTaskDelegate), nameof(IDownloadTaskDelegate.DidWriteData), DelegateMember.DidWriteData),
        (typeof(IDownloadTaskDelegate), nameof(IDownloadTaskDelegate.DidResumeAtOffset), DelegateMember.DidResumeAtOffset),
        (typeof(IDataTaskDelegate), nameof(IDataTaskDelegate.DidBecomeStreamTask), DelegateMember.DidBecomeStreamTask),
        (typeof(IStreamTaskDelegate), nameof(IStreamTaskDelegate.ReadClosed), DelegateMember.ReadClosed),
        (typeof(IStreamTaskDelegate), nameof(IStreamTaskDelegate.WriteClosed), DelegateMember.WriteClosed),
    ];

    public static bool Implements(object? target, DelegateMember member) =>
        target is not null && (ImplementedBy(target.GetType()) & member) != 0;

    // Reflection over interface maps: trimming could in theory drop an implementing method, but a delegate type
    // the app uses is rooted by that use, so its interface implementations survive.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Delegate types are user types kept alive by their use.")]
    public static DelegateMember ImplementedBy(Type type) => Cache.GetOrAdd(type, static type =>
    {
        var implemented = DelegateMember.None;
        foreach (var (iface, method, member) in Members)
        {
            if (!iface.IsAssignableFrom(type))
            {
                continue;
            }

            var map = type.GetInterfaceMap(iface);
            for (var i = 0; i < map.InterfaceMethods.Length; i++)
            {
                // A default interface body maps to a method declared on an interface; a class's own method does not.
                if (map.InterfaceMethods[i].Name == method && map.TargetMethods[i].DeclaringType is { IsInterface: false })
                {
                    implemented |= member;
                }
            }
        }

        return implemented;
    });
}
