using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyAction.State;

/// <summary>
/// <c>state/policy_state.json</c>: the level responses are planned for, written by <c>evaluate</c> (with why, who and
/// what it remembers for the next evaluation) or by a team's own workflow (level and time only).
/// </summary>
internal sealed record PolicyStateFile
{
    [JsonRequired]
    public string Level { get; init; } = string.Empty;

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The run (or, outside a runner, the user) that evaluated the level.</summary>
    public string? EvaluatedBy { get; init; }

    /// <summary>Each signal at the evaluation: its value, the condition it met and since when.</summary>
    public IReadOnlyList<LevelReason>? Reasons { get; init; }

    /// <summary>What the next evaluation needs to keep the level from flapping (the <c>for</c> and <c>calm_for</c> streaks).</summary>
    public EvaluationMemory? Evaluation { get; init; }

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

/// <summary>One signal as an evaluation found it, for people: <c>reasons</c> in state/policy_state.json.</summary>
internal sealed record LevelReason
{
    public required string Signal { get; init; }

    /// <summary>The value as shown ("4", "26h", "absent", "unknown").</summary>
    public required string Value { get; init; }

    /// <summary>GREEN, YELLOW, RED or unknown: what the signal asks for now (before <c>for</c>).</summary>
    public required string State { get; init; }

    /// <summary>The level it counts for (after <c>for</c>; GREEN for a dry-run signal).</summary>
    public required string Counts { get; init; }

    /// <summary>The condition met (e.g. "red: > 3"), or why the value is unknown.</summary>
    public string? Condition { get; init; }

    /// <summary>Since when the signal has been in this state.</summary>
    public DateTimeOffset? Since { get; init; }

    public string? Detail { get; init; }

    public bool? DryRun { get; init; }
}

/// <summary>The streaks an evaluation carries to the next: per signal, and the calmer level's.</summary>
internal sealed record EvaluationMemory
{
    public IReadOnlyDictionary<string, SignalMemory> Signals { get => _signals; init => _signals = value ?? new Dictionary<string, SignalMemory>(); }

    private readonly IReadOnlyDictionary<string, SignalMemory> _signals = new Dictionary<string, SignalMemory>();

    /// <summary>How long a calmer level than the current one has held (null: none is pending).</summary>
    public CalmStreak? Calm { get; init; }
}

/// <summary>One signal's streaks: its state since when, and how long it has asked for YELLOW or more, and for RED.</summary>
internal sealed record SignalMemory
{
    public required string State { get; init; }

    public required DateTimeOffset Since { get; init; }

    public int YellowCount { get; init; }

    public DateTimeOffset? YellowSince { get; init; }

    public int RedCount { get; init; }

    public DateTimeOffset? RedSince { get; init; }
}

/// <summary>A calmer level than the current one, held since <see cref="Since"/> for <see cref="Evaluations"/> evaluations.</summary>
internal sealed record CalmStreak
{
    public required string Level { get; init; }

    public required DateTimeOffset Since { get; init; }

    public required int Evaluations { get; init; }
}
