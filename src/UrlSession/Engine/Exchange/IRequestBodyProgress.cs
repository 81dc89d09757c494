namespace UrlSessions;

/// <summary>How a request body being sent reports and paces itself, without knowing whose body it is.</summary>
internal interface IRequestBodyProgress
{
    /// <summary>Whether the body may be read now (false while the task is suspended).</summary>
    bool CanSend { get; }

    /// <summary>Completes when the body may be read again.</summary>
    ValueTask WaitUntilSendableAsync(CancellationToken cancellationToken);

    /// <summary>A send of the body begins: totals start again (a re-send sends it whole).</summary>
    void OnBodySendStarted(long expectedLength);

    /// <summary>A chunk went out.</summary>
    void OnBodyBytesSent(int count);
}
