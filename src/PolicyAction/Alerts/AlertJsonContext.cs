using System.Text.Json.Serialization;

namespace PolicyAction.Alerts;

/// <summary>The alert report (<c>reports/policy_orchestration_alerts.json</c>, <c>alerts --json</c>), with the state files' options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(AlertReport))]
internal sealed partial class AlertJsonContext : JsonSerializerContext
{
}

/// <summary>The alert history's lines (<c>logs/policy_orchestration_alerts.jsonl</c>), with the audit log's one-line options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(AlertHistoryRecord))]
internal sealed partial class AlertHistoryJsonContext : JsonSerializerContext
{
}
