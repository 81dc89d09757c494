namespace UrlSessions;

/// <summary>How a data task hands over its body.</summary>
internal enum DataTaskMode
{
    /// <summary>Response and data events to the delegate.</summary>
    Delegate,
    /// <summary>The whole body to a completion handler; no response or data events.</summary>
    CompletionHandler,
    /// <summary>The whole body to an awaiting caller (DataAsync); events only to the task's own delegate.</summary>
    Collect,
    /// <summary>The body as a stream to an awaiting caller (BytesAsync).</summary>
    Stream,
}
