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

    /// <summary>Every rule's id, in the rules' order.</summary>
    public static IReadOnlyList<string> All { get; } = AlertRules.All.Select(r => r.Id).ToArray();
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
    /// <summary><c>alerts.runbook_url</c>: the runbook alert issues link to (with the alert's anchor), instead of the action's own.</summary>
    public string? RunbookUrl { get; init; }

    public static AlertRule DefaultRule(string id) =>
        AlertRules.Find(id)?.Defaults ?? throw new ArgumentOutOfRangeException(nameof(id), id, "unknown alert");

    public static IssueSettings DefaultIssues { get; } =
        new(true, Severity.High, ["policy-alert"], [], TimeSpan.FromHours(24), TimeSpan.FromDays(7), true);

    public static AlertSettings Default { get; } = new(
        Severity.High,
        AlertRules.All.ToDictionary(r => r.Id, r => r.Defaults, StringComparer.Ordinal),
        DefaultIssues,
        []);
}
