using System.Text.Json.Serialization;
using PolicyAction.State;

namespace PolicyAction.Orchestrator;

/// <summary><c>evaluate --json</c>: the level, the one before, why, whether it was recorded, and each signal as the state file keeps it.</summary>
internal sealed record EvaluationReport(
    string Level,
    string? PreviousLevel,
    bool LevelChanged,
    string Why,
    bool Recorded,
    IReadOnlyList<string> SignalsFiring,
    IReadOnlyList<LevelReason> Signals,
    long ElapsedMs)
{
    public static EvaluationReport Of(EvaluationResult result) => new(
        result.Decision.Level.ToName(),
        result.Decision.Previous?.ToName(),
        result.Decision.Changed,
        result.Decision.Why,
        result.Recorded,
        result.Decision.Firing.Select(s => s.Signal.Id).ToArray(),
        result.Decision.Signals.Select(LevelEvaluation.ReasonOf).ToArray(),
        (long)result.Elapsed.TotalMilliseconds);
}

/// <summary>The orchestrator's JSON, with the state files' options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(EvaluationReport))]
internal sealed partial class OrchestratorJsonContext : JsonSerializerContext
{
}
