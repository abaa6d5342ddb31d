using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyAction.State;

/// <summary><c>state/policy_state.json</c>, written by the team's orchestration workflow.</summary>
internal sealed record PolicyStateFile
{
    [JsonRequired]
    public string Level { get; init; } = string.Empty;

    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>state/trust_lock_state.json</c>: the trust guard and the history of manual unlocks.</summary>
internal sealed record TrustLockState
{
    public static TrustLockState Default { get; } = new() { Locked = false };

    [JsonRequired]
    public bool Locked { get; init; }

    public string? LockId { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset? LockedAt { get; init; }

    public string? LockedBy { get; init; }

    // The source generator sets every init-only property, a missing one to null: a file without "unlocks" (or with
    // null) has none, not a null list that crashes the gates and unlock.
    public IReadOnlyList<UnlockRecord> Unlocks { get => _unlocks; init => _unlocks = value ?? []; }

    private readonly IReadOnlyList<UnlockRecord> _unlocks = [];

    // Fields written by other tools are kept when this file is rewritten.
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record UnlockRecord
{
    public string? LockId { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset UnlockedAt { get; init; }

    public string? UnlockedBy { get; init; }

    public bool Forced { get; init; }
}

/// <summary><c>forensics/safety_brake_state.json</c>.</summary>
internal sealed record SafetyBrakeState
{
    public static SafetyBrakeState Default { get; } = new() { IsEngaged = false };

    [JsonRequired]
    public bool IsEngaged { get; init; }

    public DateTimeOffset? EngagedAt { get; init; }

    public string? EngagedBy { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset? ReleasedAt { get; init; }

    public string? ReleasedBy { get; init; }

    public string? ReleaseReason { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
