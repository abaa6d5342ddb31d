namespace PolicyAction.State;

/// <summary>The kinds of record in <c>state/policy_response_log.jsonl</c>.</summary>
internal static class AuditEvents
{
    public const string ResponseStarted = "response_started";
    public const string ActionFinished = "action_finished";
    public const string ResponseFinished = "response_finished";
    public const string ResponseBlocked = "response_blocked";
    public const string UndoApplied = "undo_applied";
    public const string TrustLocked = "trust_locked";
    public const string TrustUnlocked = "trust_unlocked";
    public const string TrustForceUnlocked = "trust_force_unlocked";
    public const string BrakeEngaged = "brake_engaged";
    public const string BrakeReleased = "brake_released";

    /// <summary>The policy level a response acted on differs from the last one recorded: the level history.</summary>
    public const string LevelChanged = "level_changed";

    /// <summary>The orchestrator evaluated the level: every signal's value and state (the history evaluate --explain reads).</summary>
    public const string LevelEvaluated = "level_evaluated";

    /// <summary>A person accepted an interrupted response as it is (<c>acknowledge</c>); the next apply may run.</summary>
    public const string InterruptionAcknowledged = "interruption_acknowledged";

    /// <summary>Written right after a torn line (an interrupted write) so that line is known, kept, and skipped.</summary>
    public const string TornRecordNoted = "torn_record_noted";
}

/// <summary>One line of the append-only audit log. Fields that do not apply to an event are omitted.</summary>
internal sealed record AuditRecord
{
    public required DateTimeOffset Timestamp { get; init; }

    public required string Event { get; init; }

    /// <summary>Who acted: <c>GITHUB_ACTOR</c> in a runner, else the operating-system user.</summary>
    public string? Actor { get; init; }

    /// <summary>Outside a runner, the <c>GITHUB_ACTOR</c> the environment named: kept as what it is, a claim (left out when none).</summary>
    public string? ClaimedActor { get; init; }

    public Guid? ResponseId { get; init; }

    public string? Policy { get; init; }

    /// <summary>On <c>level_changed</c>: the level recorded before this one (null for the first).</summary>
    public string? PreviousPolicy { get; init; }

    public string? Mode { get; init; }

    public string? PlanDigest { get; init; }

    /// <summary>What started an applied response in a runner, e.g. <c>workflow_run:289782451:1</c>; a re-run of the same trigger is refused.</summary>
    public string? Trigger { get; init; }

    /// <summary>The link to the GitHub Actions run that wrote this record, when there was one.</summary>
    public string? RunUrl { get; init; }

    public int? ActionsPlanned { get; init; }

    public string? Action { get; init; }

    public string? Status { get; init; }

    public int? ExitCode { get; init; }

    public long? DurationMs { get; init; }

    public int? ActionsFailed { get; init; }

    public IReadOnlyList<string>? BlockedBy { get; init; }

    public string? LockId { get; init; }

    public string? Reason { get; init; }

    public string? Detail { get; init; }

    /// <summary>On <c>level_evaluated</c>: each signal's value and state.</summary>
    public IReadOnlyList<SignalObservation>? Signals { get; init; }

    /// <summary>The record's place in the log's hash chain: 1 for the first record, one more for each after it.</summary>
    public long? Seq { get; init; }

    /// <summary>The SHA-256 (hex) of the previous record's line, or 64 zeros for the first: see <see cref="AuditChain"/>.</summary>
    public string? Prev { get; init; }
}

/// <summary>One signal in a <c>level_evaluated</c> record: its value (null when absent or unknown) and the state it asked for.</summary>
internal sealed record SignalObservation
{
    public required string Id { get; init; }

    public double? Value { get; init; }

    /// <summary>GREEN, YELLOW, RED or unknown.</summary>
    public required string State { get; init; }

    /// <summary>The level it counted for after <c>for</c> (left out when it equals the state).</summary>
    public string? Counts { get; init; }

    /// <summary>Why the value is unknown, or what was read.</summary>
    public string? Detail { get; init; }

    public bool? DryRun { get; init; }
}

/// <summary>How a response ran, as recorded in the audit log and reports.</summary>
internal static class ResponseModes
{
    public const string DryRun = "dry-run";
    public const string Apply = "apply";
}

/// <summary>What became of one action, as recorded in the audit log and reports.</summary>
internal static class ActionStatuses
{
    public const string Planned = "planned";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string TimedOut = "timed_out";
    public const string Skipped = "skipped";
}

/// <summary>A response's mode in reports and outputs, written as <see cref="ResponseModes"/> spells it.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ResponseMode>))]
internal enum ResponseMode
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName(ResponseModes.DryRun)]
    DryRun,

    [System.Text.Json.Serialization.JsonStringEnumMemberName(ResponseModes.Apply)]
    Apply,
}

/// <summary>An action's status in reports, written as <see cref="ActionStatuses"/> spells it.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ActionStatus>))]
internal enum ActionStatus
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName(ActionStatuses.Planned)]
    Planned,

    [System.Text.Json.Serialization.JsonStringEnumMemberName(ActionStatuses.Succeeded)]
    Succeeded,

    [System.Text.Json.Serialization.JsonStringEnumMemberName(ActionStatuses.Failed)]
    Failed,

    [System.Text.Json.Serialization.JsonStringEnumMemberName(ActionStatuses.TimedOut)]
    TimedOut,

    [System.Text.Json.Serialization.JsonStringEnumMemberName(ActionStatuses.Skipped)]
    Skipped,
}

/// <summary>The wire names, for text, outputs and the audit log's string fields (an enum's own name would read "DryRun").</summary>
internal static class WireNames
{
    public static string ToWire(this ResponseMode mode) => mode == ResponseMode.Apply ? ResponseModes.Apply : ResponseModes.DryRun;

    public static string ToWire(this ActionStatus status) => status switch
    {
        ActionStatus.Planned => ActionStatuses.Planned,
        ActionStatus.Succeeded => ActionStatuses.Succeeded,
        ActionStatus.Failed => ActionStatuses.Failed,
        ActionStatus.TimedOut => ActionStatuses.TimedOut,
        _ => ActionStatuses.Skipped,
    };
}
