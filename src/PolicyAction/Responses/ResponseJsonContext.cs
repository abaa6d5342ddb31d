using System.Text.Json.Serialization;

namespace PolicyAction.Responses;

/// <summary>The response's files (preview, blocked report, undo records) and <c>respond --json</c>, with the state files' options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ResponseReport))]
[JsonSerializable(typeof(BlockedReport))]
[JsonSerializable(typeof(UndoRecord))]
internal sealed partial class ResponseJsonContext : JsonSerializerContext
{
}
