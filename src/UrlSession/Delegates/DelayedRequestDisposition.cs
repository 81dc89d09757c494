namespace UrlSessions;

/// <summary>What a delayed task does when its begin date arrives.</summary>
public enum DelayedRequestDisposition
{
    /// <summary>Send the original request.</summary>
    ContinueLoading,
    /// <summary>Send the request in <see cref="DelayedRequestResult.NewRequest"/> instead.</summary>
    UseNewRequest,
    /// <summary>Cancel the task.</summary>
    Cancel,
}
