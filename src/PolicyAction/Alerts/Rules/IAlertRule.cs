namespace PolicyAction.Alerts;

/// <summary>
/// One alert rule: its id, its defaults, the configuration keys it takes (besides <c>enabled</c> and <c>severity</c>),
/// its evaluation and what inhibits it. The rules are one list (<see cref="AlertRules.All"/>); adding a rule is a
/// class here, a line in that list and its section in docs/alerts.md.
/// </summary>
internal interface IAlertRule
{
    string Id { get; }

    AlertRule Defaults { get; }

    /// <summary>The keys under <c>alerts.rules.&lt;id&gt;</c> that mean something for this rule, besides enabled and severity.</summary>
    IReadOnlyList<string> Keys { get; }

    AlertStatus Evaluate(AlertRule rule, AlertInputs inputs, DateTimeOffset now);

    /// <summary>The alert whose firing explains this one, so it causes no activity of its own; null when none does.</summary>
    string? InhibitedBy(AlertInputs inputs) => null;

    /// <summary>Whether the issue sync creates a fix branch while this alert is active.</summary>
    bool CreatesFixBranch(AlertRule rule) => false;
}

/// <summary>Every alert rule, in the order reports, tables and docs show them.</summary>
internal static class AlertRules
{
    public static IReadOnlyList<IAlertRule> All { get; } =
    [
        new RedFlipsRule(),
        new BrakeEngagedRule(),
        new BlockedStreakRule(),
        new FixBranchesRule(),
        new ActionFailuresRule(),
    ];

    public static IAlertRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
