using PolicyAction.Output;

namespace PolicyAction.Alerts;

/// <summary><c>fix_branches</c>: new branches under a prefix (fix/ by default) in a window, except those the checker made for an alert.</summary>
internal sealed class FixBranchesRule : IAlertRule
{
    public string Id => AlertIds.FixBranches;

    public AlertRule Defaults { get; } = new(AlertIds.FixBranches, true, Severity.Medium, 0, TimeSpan.Zero, TimeSpan.FromHours(24), "fix/", false);

    public IReadOnlyList<string> Keys { get; } = ["prefix", "window"];

    public AlertStatus Evaluate(AlertRule rule, AlertInputs inputs, DateTimeOffset now)
    {
        var branches = inputs.FixBranches;
        if (branches is null)
        {
            return AlertStatus.For(rule, false, "not evaluated (no GitHub access)", $"> 0 in {Durations.Format(rule.Window)}", null, [], evaluated: false);
        }

        // A branch the checker made for an alert is that alert's (its issue names it), not a new cause of its own.
        var recent = branches.Where(b => b.FirstSeen > now - rule.Window && !AlertIssueManager.IsFixBranchOfAnAlert(b.Name)).OrderBy(b => b.FirstSeen).ToArray();
        return AlertStatus.For(
            rule,
            recent.Length > 0,
            $"{recent.Length} new branch(es) under {rule.Prefix} in {Durations.Format(rule.Window)}",
            $"> 0 in {Durations.Format(rule.Window)}",
            recent.FirstOrDefault()?.FirstSeen,
            recent.Select(b => new AlertEvidence(b.FirstSeen, b.Name)).ToArray());
    }
}
