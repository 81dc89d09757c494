using System.Runtime.CompilerServices;

namespace UrlSessions.Tests.Support;

internal static class ThreadPoolSetup
{
    /// <summary>
    /// A few tests model slow delegates that block their delegate-queue thread on purpose; with the pool's
    /// default minimum (one thread per core) parallel test classes would then wait for thread injection.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseMinimumThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
    }
}
