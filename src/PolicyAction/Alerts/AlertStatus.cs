using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using PolicyAction.Configuration;

namespace PolicyAction.Alerts;

/// <summary>One event behind an alert, shown in its evidence table.</summary>
/// <param name="RunUrl">The run that wrote the event (applied, blocked, changed the level), from its audit record.</param>
internal sealed record AlertEvidence(DateTimeOffset At, string What, string? RunUrl = null);

/// <summary>A branch under the fix-branch prefix and when the checker first saw it.</summary>
internal sealed record FixBranch(string Name, DateTimeOffset FirstSeen);

/// <summary>One alert's state at one evaluation.</summary>
internal sealed record AlertStatus
{
    public required string Id { get; init; }

    public required string Severity { get; init; }

    /// <summary>False when the checker could not look (e.g. fix branches without GitHub access): not the same as zero.</summary>
    public required bool Evaluated { get; init; }

    public required bool Firing { get; init; }

    public required string Observed { get; init; }

    public required string Threshold { get; init; }

    public DateTimeOffset? Since { get; init; }

    public bool Silenced { get; init; }

    public string? SilenceReason { get; init; }

    public DateTimeOffset? SilencedUntil { get; init; }

    public bool Inhibited { get; init; }

    public string? InhibitedBy { get; init; }

    public required string Fingerprint { get; init; }

    public IReadOnlyList<AlertEvidence> Evidence { get; init; } = [];

    /// <summary>The GitHub issue that tracks this alert, once there is one.</summary>
    public int? IssueNumber { get; init; }

    public string? IssueUrl { get; init; }

    /// <summary>When the issue was last opened, commented on or reopened for this alert (for repeat_interval).</summary>
    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>When the alert last stopped firing (for reopen_within).</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The fix branch created for this alert, if any.</summary>
    public string? FixBranch { get; init; }

    /// <summary>Firing, and neither silenced nor inhibited: the alert people must act on.</summary>
    public bool Active => Firing && !Silenced && !Inhibited;

    /// <summary>A stable id for an alert, kept in its issue's hidden marker so the issue is found again.</summary>
    public static string FingerprintOf(string alertId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"policy-response/alert/v1/{alertId}")))[..16];

    /// <summary>A rule's verdict, as the rules build it.</summary>
    public static AlertStatus For(AlertRule rule, bool firing, string observed, string threshold, DateTimeOffset? since, IReadOnlyList<AlertEvidence> evidence, bool evaluated = true) => new()
    {
        Id = rule.Id,
        Severity = rule.Severity.ToName(),
        Evaluated = evaluated,
        Firing = firing,
        Observed = observed,
        Threshold = threshold,
        Since = firing ? since : null,
        Fingerprint = FingerprintOf(rule.Id),
        Evidence = evidence,
    };

    /// <summary>The severity for comparisons; the report carries it once, as <see cref="Severity"/>.</summary>
    [JsonIgnore]
    public Severity ParsedSeverity => Severities.TryParse(Severity, out var severity) ? severity : Alerts.Severity.Low;
}

/// <summary><c>reports/policy_orchestration_alerts.json</c>: the current state of every alert.</summary>
internal sealed record AlertReport
{
    public required DateTimeOffset EvaluatedAt { get; init; }

    public required IReadOnlyList<AlertStatus> Alerts { get; init; }

    /// <summary>Fix branches seen so far, with when each was first seen (GitHub does not record when a branch was created).</summary>
    public IReadOnlyList<FixBranch> FixBranchesSeen { get; init; } = [];
}

/// <summary>One line of <c>logs/policy_orchestration_alerts.jsonl</c>: a change in an alert's state.</summary>
internal sealed record AlertHistoryRecord
{
    public required DateTimeOffset Timestamp { get; init; }

    public required string Alert { get; init; }

    /// <summary>fired, resolved, silenced, silence_ended, inhibited, inhibition_ended; opened, repeated, reopened, fix_branch; issue_claimed.</summary>
    public required string Event { get; init; }

    public required string Severity { get; init; }

    public string? Observed { get; init; }

    public string? Threshold { get; init; }

    public string? Detail { get; init; }

    /// <summary>On issue actions: the alert's fingerprint; on <c>issue_claimed</c> also the run that claimed the right to open its issue.</summary>
    public string? Fingerprint { get; init; }

    public string? Claimant { get; init; }
}
