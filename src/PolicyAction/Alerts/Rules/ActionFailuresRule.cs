using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary><c>action_failures</c>: more than N responses in a row with a failed action; can create a fix branch.</summary>
internal sealed class ActionFailuresRule : IAlertRule
{
    public string Id => AlertIds.ActionFailures;

    public AlertRule Defaults { get; } = new(AlertIds.ActionFailures, true, Severity.High, 2, TimeSpan.Zero, TimeSpan.Zero, string.Empty, true);

    public IReadOnlyList<string> Keys { get; } = ["more_than", "create_fix_branch"];

    public AlertStatus Evaluate(AlertRule rule, AlertInputs inputs, DateTimeOffset now)
    {
        var log = inputs.Log;
        var streak = new List<AuditRecord>();
        foreach (var record in log.Where(r => r.Event == AuditEvents.ResponseFinished).Reverse())
        {
            if (record.Status != ActionStatuses.Failed)
            {
                break;
            }

            streak.Add(record);
        }

        streak.Reverse();
        var firing = streak.Count > rule.MoreThan;
        var failedActions = log.Where(r => r.Event == AuditEvents.ActionFinished && r.Status is ActionStatuses.Failed or ActionStatuses.TimedOut)
            .ToLookup(r => r.ResponseId);
        return AlertStatus.For(
            rule,
            firing,
            $"{streak.Count} consecutive response(s) with a failed action",
            $"> {rule.MoreThan}",
            firing ? streak[rule.MoreThan].Timestamp : null,
            streak.TakeLast(20).Select(r => new AlertEvidence(
                r.Timestamp,
                $"{r.Policy} response {r.ResponseId:D}: " + string.Join("; ", failedActions[r.ResponseId].Select(a => $"{a.Action} {a.Detail ?? a.Status}")),
                r.RunUrl)).ToArray());
    }

    public bool CreatesFixBranch(AlertRule settings) => settings.CreateFixBranch;
}
