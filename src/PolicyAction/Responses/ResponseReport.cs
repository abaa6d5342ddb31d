using PolicyAction.Gates;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>
/// The record of one response: written as <c>state/policy_response_preview.json</c> by a dry run and
/// returned (and printed with --json) by an apply.
/// </summary>
internal sealed record ResponseReport
{
    public required Guid ResponseId { get; init; }

    public required string Policy { get; init; }

    public required ResponseMode Mode { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required int ActionsPlanned { get; init; }

    public required bool SafetyGatesPassed { get; init; }

    public IReadOnlyList<string> BlockedBy { get; init; } = [];

    public required IReadOnlyList<GateResult> Gates { get; init; }

    public required IReadOnlyList<ActionReport> Results { get; init; }

    public required string PlanDigest { get; init; }

    public int ActionsFailed { get; init; }

    public string? UndoFile { get; init; }

    public string? Message { get; init; }

    /// <summary>For a level given with --policy that differs from the recorded one: that nothing was recorded (a what-if).</summary>
    public string? WhatIf { get; init; }
}

internal sealed record ActionReport
{
    public required string Action { get; init; }

    public string? Description { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public required ActionStatus Status { get; init; }

    public required string Stdout { get; init; }

    public string? Stderr { get; init; }

    public int? ExitCode { get; init; }

    public long? DurationMs { get; init; }

    public required bool Reversible { get; init; }

    public IReadOnlyList<string>? Paths { get; init; }

    public string? UndoInstruction { get; init; }
}

/// <summary><c>reports/policy_response_blocked.json</c>: why the last response was refused.</summary>
internal sealed record BlockedReport
{
    public required Guid ResponseId { get; init; }

    public required string Policy { get; init; }

    public required ResponseMode Mode { get; init; }

    public required DateTimeOffset BlockedAt { get; init; }

    public required IReadOnlyList<string> BlockedBy { get; init; }

    public required IReadOnlyList<GateResult> Gates { get; init; }

    public required string Message { get; init; }

    /// <summary>The seed's audit marker, <c>&lt;!-- POLICY_RESPONSE: BLOCKED &lt;timestamp&gt; --&gt;</c>.</summary>
    public required string AuditMarker { get; init; }

    public static string Marker(DateTimeOffset at) =>
        $"<!-- POLICY_RESPONSE: BLOCKED {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} -->";
}
