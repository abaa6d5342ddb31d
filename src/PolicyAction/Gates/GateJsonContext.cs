using System.Text.Json.Serialization;

namespace PolicyAction.Gates;

/// <summary><c>gates --json</c>, with the state files' options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(GateEvaluation))]
internal sealed partial class GateJsonContext : JsonSerializerContext
{
}
