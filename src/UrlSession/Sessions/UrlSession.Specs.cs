namespace UrlSessions;

// Tasks from TaskSpecs (the background agent's input).
public sealed partial class UrlSession
{
    /// <summary>
    /// Creates the task a spec describes, suspended, with its description, priority and begin date already set when
    /// DidCreateTask announces it. It gets this session's next identifier and reports to the session's delegate.
    /// </summary>
    /// <exception cref="UrlError">The spec's request cannot be built (<see cref="UrlErrorCode.CannotDecodeRawData"/>).</exception>
    /// <exception cref="InvalidOperationException">The session was invalidated.</exception>
    internal SessionTask CreateTask(TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ThrowIfInvalidated();
        SessionTask task = spec.Kind switch
        {
            TaskSpecKind.Data => DataTask.Create(this, NextTaskIdentifier(), ToRequest(spec), DataTaskMode.Delegate, completionHandler: null),
            TaskSpecKind.Upload => UploadTask.Create(this, NextTaskIdentifier(), ToRequest(spec), DataTaskMode.Delegate, completionHandler: null),
            TaskSpecKind.Download when spec.ResumeData is { } blob => DownloadTask.FromResumeData(this, NextTaskIdentifier(), blob, DownloadTaskMode.Delegate, completionHandler: null),
            TaskSpecKind.Download => DownloadTask.Create(this, NextTaskIdentifier(), ToRequest(spec), DownloadTaskMode.Delegate, completionHandler: null),
            _ => throw new UrlError(UrlErrorCode.CannotDecodeRawData, $"The task spec cannot be used: its kind {spec.Kind} is unknown."),
        };

        task.TaskDescription = spec.TaskDescription;
        task.Priority = spec.Priority;
        task.EarliestBeginDate = spec.EarliestBeginDate;
        return Track(task, taskDelegate: null);
    }

    // A spec built in code (not read by Deserialize, which checks this) can still hold a request that cannot be.
    private static UrlRequest ToRequest(TaskSpec spec)
    {
        try
        {
            return spec.ToRequest();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new UrlError(UrlErrorCode.CannotDecodeRawData, $"The task spec cannot be used: its request cannot be built ({ex.Message}).", spec.Request.Url, ex);
        }
    }
}
