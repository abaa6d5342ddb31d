namespace PolicyAction.Alerts;

/// <summary>How bad an alert is; issues and the exit code use a threshold on it.</summary>
internal enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}

internal static class Severities
{
    public static string ToName(this Severity severity) => severity.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out Severity severity)
    {
        foreach (var value in Enum.GetValues<Severity>())
        {
            if (string.Equals(text, value.ToName(), StringComparison.Ordinal))
            {
                severity = value;
                return true;
            }
        }

        severity = default;
        return false;
    }
}

/// <summary>The alert ids, their meaning and defaults (the seed's four conditions, and the action-failure streak).</summary>
internal static class AlertIds
{
    public const string RedFlips = "red_flips";
    public const string BrakeEngaged = "brake_engaged";
    public const string BlockedStreak = "blocked_streak";
    public const string FixBranches = "fix_branches";
    public const string ActionFailures = "action_failures";

    public static IReadOnlyList<string> All { get; } = [RedFlips, BrakeEngaged, BlockedStreak, FixBranches, ActionFailures];
}

/// <summary>One rule's settings; which fields apply depends on the rule (see docs/alerts.md).</summary>
internal sealed record AlertRule(
    string Id,
    bool Enabled,
    Severity Severity,
    int MoreThan,
    TimeSpan LongerThan,
    TimeSpan Window,
    string Prefix,
    bool CreateFixBranch);

internal sealed record IssueSettings(
    bool Enabled,
    Severity MinSeverity,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Assignees,
    TimeSpan RepeatInterval,
    TimeSpan ReopenWithin,
    bool CloseOnResolve);

internal sealed record Silence(string Alert, DateTimeOffset Until, string Reason);

/// <summary>The <c>alerts:</c> section, with every default filled in.</summary>
internal sealed record AlertSettings(
    Severity? FailOn,
    IReadOnlyDictionary<string, AlertRule> Rules,
    IssueSettings Issues,
    IReadOnlyList<Silence> Silences)
{
    public static AlertRule DefaultRule(string id) => id switch
    {
        AlertIds.RedFlips => new(id, true, Severity.High, 2, TimeSpan.Zero, TimeSpan.FromHours(24), string.Empty, false),
        AlertIds.BrakeEngaged => new(id, true, Severity.Critical, 0, TimeSpan.FromHours(4), TimeSpan.Zero, string.Empty, false),
        AlertIds.BlockedStreak => new(id, true, Severity.Medium, 3, TimeSpan.Zero, TimeSpan.Zero, string.Empty, false),
        AlertIds.FixBranches => new(id, true, Severity.Medium, 0, TimeSpan.Zero, TimeSpan.FromHours(24), "fix/", false),
        AlertIds.ActionFailures => new(id, true, Severity.Medium, 2, TimeSpan.Zero, TimeSpan.Zero, string.Empty, true),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "unknown alert"),
    };

    public static IssueSettings DefaultIssues { get; } =
        new(true, Severity.High, ["policy-alert"], [], TimeSpan.FromHours(24), TimeSpan.FromDays(7), true);

    public static AlertSettings Default { get; } = new(
        Severity.High,
        AlertIds.All.ToDictionary(id => id, DefaultRule, StringComparer.Ordinal),
        DefaultIssues,
        []);
}
