using System.Text.Json.Serialization;

namespace UrlSessions;

/// <summary>
/// Source-generated (trimming-safe, no reflection) JSON for <see cref="TaskSpec"/>. Strict on reading: unknown or
/// repeated members and nulls where none belong are errors, so a damaged spec is refused rather than half-read.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(TaskSpec))]
internal sealed partial class TaskSpecJsonContext : JsonSerializerContext;
