using System.Text.Json.Serialization;
using PolicyAction.Gates;
using PolicyAction.Responses;

namespace PolicyAction.State;

/// <summary>Source-generated (reflection-free) JSON for every file the tool reads or writes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(PolicyStateFile))]
[JsonSerializable(typeof(TrustLockState))]
[JsonSerializable(typeof(SafetyBrakeState))]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(ResponseReport))]
[JsonSerializable(typeof(BlockedReport))]
[JsonSerializable(typeof(UndoRecord))]
[JsonSerializable(typeof(GateEvaluation))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(Alerts.AlertReport))]
[JsonSerializable(typeof(LogVerification))]
internal sealed partial class StateJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same contract without HTML-safe escaping: files on disk are not embedded in HTML, and people grep
    /// the blocked report for the literal <c>&lt;!-- POLICY_RESPONSE: BLOCKED</c> marker.
    /// </summary>
    public static StateJsonContext Relaxed => s_relaxed ??= new(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static StateJsonContext? s_relaxed;
}

/// <summary>The same contract on one line, for JSONL records.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(Alerts.AlertHistoryRecord))]
internal sealed partial class CompactJsonContext : JsonSerializerContext
{
}
