namespace UrlSessions;

/// <summary>The answer to <see cref="ISessionTaskDelegate.WillBeginDelayedRequestAsync"/>.</summary>
/// <param name="Disposition">What to do.</param>
/// <param name="NewRequest">The request to send with <see cref="DelayedRequestDisposition.UseNewRequest"/>.</param>
public readonly record struct DelayedRequestResult(DelayedRequestDisposition Disposition, UrlRequest? NewRequest = null);
