namespace UrlSessions;

/// <summary>How much of a transfer is done.</summary>
/// <param name="CompletedUnitCount">Bytes done.</param>
/// <param name="TotalUnitCount">Bytes in all, or -1 when unknown.</param>
public readonly record struct TransferProgress(long CompletedUnitCount, long TotalUnitCount)
{
    /// <summary>The fraction done, from 0 to 1; 0 while the total is unknown.</summary>
    public double FractionCompleted => TotalUnitCount > 0 ? Math.Clamp((double)CompletedUnitCount / TotalUnitCount, 0, 1) : 0;
}
