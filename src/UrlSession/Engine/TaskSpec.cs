using System.Text.Json;
using System.Text.Json.Serialization;

namespace UrlSessions;

/// <summary>
/// A plain, serializable description of a task: its kind, identifiers, request (body by value or by file path,
/// never a stream), resume data and per-task settings. The background agent runs tasks from these;
/// <see cref="UrlSession.CreateTask(TaskSpec)"/> turns one back into a task.
/// </summary>
/// <remarks>
/// The bytes are UTF-8 JSON (<see cref="TaskSpecJsonContext"/>) whose first member is <c>version</c>. Delegates and
/// completion handlers are code, not data: a task made from a spec reports to its session's delegate.
/// </remarks>
internal sealed class TaskSpec
{
    public const int CurrentVersion = 1;

    /// <summary>The format version; <see cref="Deserialize"/> reads only <see cref="CurrentVersion"/>.</summary>
    [JsonPropertyOrder(-1)]
    public int Version { get; init; } = CurrentVersion;

    public required TaskSpecKind Kind { get; init; }

    /// <summary>The described task's identifier in its session; a task made from the spec gets its new session's next one.</summary>
    public long TaskIdentifier { get; init; }

    public string? TaskDescription { get; init; }

    /// <summary>The request the task was created with (for a download from resume data, the one the blob names).</summary>
    public required RequestSpec Request { get; init; }

    /// <summary>The resume data blob a download goes on from; null for a task made from a request.</summary>
    public byte[]? ResumeData { get; init; }

    public float Priority { get; init; } = 0.5f;

    public DateTimeOffset? EarliestBeginDate { get; init; }

    /// <summary>Describes a task as it was created, with its current description, priority and begin date.</summary>
    /// <exception cref="ArgumentException">
    /// The task cannot be described: its body is a stream, it is a <see cref="StreamTask"/>, or it is a download whose
    /// resume data could not be read.
    /// </exception>
    public static TaskSpec From(SessionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var kind = task switch
        {
            UploadTask => TaskSpecKind.Upload,
            DataTask => TaskSpecKind.Data,
            DownloadTask => TaskSpecKind.Download,
            _ => throw new ArgumentException($"A {task.GetType().Name} cannot be described by a TaskSpec: it is a connection handed over by another task.", nameof(task)),
        };

        var request = task.OriginalRequest
            ?? throw new ArgumentException("This download task's resume data could not be read, so the task has no request to describe.", nameof(task));

        RequestSpec described;
        try
        {
            described = RequestSpec.From(request);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(ex.Message, nameof(task), ex);
        }

        return new()
        {
            Kind = kind,
            TaskIdentifier = task.TaskIdentifier,
            TaskDescription = task.TaskDescription,
            Request = described,
            ResumeData = (task as DownloadTask)?.ResumeDataBlob,
            Priority = task.Priority,
            EarliestBeginDate = task.EarliestBeginDate,
        };
    }

    public UrlRequest ToRequest() => Request.ToRequest();

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, TaskSpecJsonContext.Default.TaskSpec);

    /// <summary>Reads a spec written by <see cref="Serialize"/>.</summary>
    /// <exception cref="UrlError">
    /// <see cref="UrlErrorCode.CannotDecodeRawData"/> (as for unusable resume data): the bytes are not a spec, are of
    /// another version, or describe something that cannot be a task. Nothing else is thrown.
    /// </exception>
    public static TaskSpec Deserialize(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var version = ReadVersion(bytes);
            if (version != CurrentVersion)
            {
                throw Invalid($"it has version {version}; this version of UrlSession reads version {CurrentVersion}");
            }

            var spec = JsonSerializer.Deserialize(bytes.Span, TaskSpecJsonContext.Default.TaskSpec) ?? throw Invalid("it is null");
            spec.Validate();
            return spec;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException or OverflowException)
        {
            throw Invalid($"its contents cannot be read ({ex.Message})", ex);
        }
    }

    /// <summary>The version is read first and alone: another version may have another shape.</summary>
    private static int ReadVersion(ReadOnlyMemory<byte> bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("version", out var version)
            || version.ValueKind != JsonValueKind.Number
            || !version.TryGetInt32(out var number))
        {
            throw Invalid("it is not a UrlSession task spec");
        }

        return number;
    }

    private void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw Invalid($"its kind {Kind} is unknown");
        }

        if (!(Priority is >= 0f and <= 1f))
        {
            throw Invalid($"its priority {Priority} is not between 0 and 1");
        }

        if (ResumeData is not null && Kind != TaskSpecKind.Download)
        {
            throw Invalid("only a download can go on from resume data");
        }

        if (Kind == TaskSpecKind.Upload && Request.Body is null)
        {
            throw Invalid("an upload has no body");
        }

        Request.Body?.Validate();
        _ = ToRequest();
    }

    private static UrlError Invalid(string reason, Exception? inner = null) =>
        new(UrlErrorCode.CannotDecodeRawData, $"The task spec cannot be used: {reason}.", null, inner);
}
