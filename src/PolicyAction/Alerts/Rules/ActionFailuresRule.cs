using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary><c>action_failures</c>: more than N responses in a row with a failed action (interrupted ones included); can create a fix branch.</summary>
internal sealed class ActionFailuresRule : IAlertRule
{
    public string Id => AlertIds.ActionFailures;

    public AlertRule Defaults { get; } = new(AlertIds.ActionFailures, true, Severity.High, 2, TimeSpan.Zero, TimeSpan.Zero, string.Empty, true);

    public IReadOnlyList<string> Keys { get; } = ["more_than", "create_fix_branch"];

    public AlertStatus Evaluate(AlertRule rule, AlertInputs inputs, DateTimeOffset now)
    {
        var log = inputs.Log;
        var failedActions = log.Where(r => r.Event == AuditEvents.ActionFinished && r.Status is ActionStatuses.Failed or ActionStatuses.TimedOut)
            .ToLookup(r => r.ResponseId);
        var finished = log.Where(r => r.Event == AuditEvents.ResponseFinished).Select(r => r.ResponseId).ToHashSet();

        // Newest first: responses with a failed action, until one without. An interrupted response (started, never
        // finished) had an action fail when one is recorded failed, so it counts; with none recorded failed its
        // outcome is unknown, and it neither counts nor ends the streak.
        var streak = new List<(AuditRecord Record, bool Interrupted)>();
        foreach (var record in log.Reverse())
        {
            var failed = record.Event switch
            {
                AuditEvents.ResponseFinished => record.Status == ActionStatuses.Failed,
                AuditEvents.ResponseStarted when !finished.Contains(record.ResponseId) && failedActions.Contains(record.ResponseId) => true,
                _ => (bool?)null,
            };
            if (failed is null)
            {
                continue;
            }

            if (failed == false)
            {
                break;
            }

            streak.Add((record, record.Event == AuditEvents.ResponseStarted));
        }

        streak.Reverse();
        var firing = streak.Count > rule.MoreThan;
        return AlertStatus.For(
            rule,
            firing,
            $"{streak.Count} consecutive response(s) with a failed action",
            $"> {rule.MoreThan}",
            firing ? streak[rule.MoreThan].Record.Timestamp : null,
            streak.TakeLast(20).Select(r => new AlertEvidence(
                r.Record.Timestamp,
                $"{r.Record.Policy} response {r.Record.ResponseId:D}{(r.Interrupted ? " (interrupted)" : string.Empty)}: "
                + string.Join("; ", failedActions[r.Record.ResponseId].Select(a => $"{a.Action} {a.Detail ?? a.Status}")),
                r.Record.RunUrl)).ToArray());
    }

    public bool CreatesFixBranch(AlertRule settings) => settings.CreateFixBranch;
}
