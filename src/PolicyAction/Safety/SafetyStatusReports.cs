using System.Text.Json.Serialization;
using PolicyAction.Gates;
using PolicyAction.State;

namespace PolicyAction.Safety;

/// <summary>
/// <c>trust status --json</c>: the fields of <c>state/trust_lock_state.json</c> under the same names, the manual
/// unlocks the <c>manual_unlocks</c> gate counts, and what the <c>trust_guard</c> gate says now.
/// </summary>
internal sealed record TrustStatusReport
{
    public required bool Locked { get; init; }

    public string? LockId { get; init; }

    public DateTimeOffset? LockedAt { get; init; }

    public string? LockedBy { get; init; }

    public string? Reason { get; init; }

    /// <summary>Named as in <c>status --json</c>.</summary>
    public required int ManualUnlocksLast24h { get; init; }

    /// <summary>The last five unlocks, oldest first, as the text shows them.</summary>
    public required IReadOnlyList<UnlockRecord> RecentUnlocks { get; init; }

    public required GateResult Gate { get; init; }
}

/// <summary><c>brake status --json</c>: the fields of <c>forensics/safety_brake_state.json</c> under the same names, and what the <c>safety_brake</c> gate says now.</summary>
internal sealed record BrakeStatusReport
{
    public required bool IsEngaged { get; init; }

    public DateTimeOffset? EngagedAt { get; init; }

    public string? EngagedBy { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset? ReleasedAt { get; init; }

    public string? ReleasedBy { get; init; }

    public string? ReleaseReason { get; init; }

    public required GateResult Gate { get; init; }
}

/// <summary><c>trust status --json</c> and <c>brake status --json</c>, with the state files' options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(TrustStatusReport))]
[JsonSerializable(typeof(BrakeStatusReport))]
internal sealed partial class SafetyJsonContext : JsonSerializerContext
{
}
