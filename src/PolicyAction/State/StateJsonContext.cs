using System.Text.Json.Serialization;

namespace PolicyAction.State;

/// <summary>
/// Source-generated (reflection-free) JSON for the state files and the audit log. Each feature has a context of its
/// own for its files with these same options (<c>JsonContextTests</c> holds them equal), so State knows no feature's types.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(PolicyStateFile))]
[JsonSerializable(typeof(TrustLockState))]
[JsonSerializable(typeof(SafetyBrakeState))]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(LogVerification))]
internal sealed partial class StateJsonContext : JsonSerializerContext
{
}

/// <summary>The same contract on one line, for JSONL records.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class CompactJsonContext : JsonSerializerContext
{
}
