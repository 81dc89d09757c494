namespace UrlSessions;

/// <summary>Which task a <see cref="TaskSpec"/> creates.</summary>
/// <remarks>
/// There is no stream kind: a <see cref="StreamTask"/> is a connection handed over by a running data task
/// (<see cref="ResponseDisposition.BecomeStream"/>), which no description can recreate.
/// </remarks>
internal enum TaskSpecKind
{
    /// <summary>A <see cref="DataTask"/> (its request may still carry a body).</summary>
    Data,

    /// <summary>An <see cref="UploadTask"/>; its request carries the body.</summary>
    Upload,

    /// <summary>A <see cref="DownloadTask"/>, from a request or from resume data.</summary>
    Download,
}
