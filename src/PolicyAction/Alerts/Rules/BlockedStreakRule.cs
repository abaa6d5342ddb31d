using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary><c>blocked_streak</c>: more than N responses blocked in a row since the last applied one.</summary>
internal sealed class BlockedStreakRule : IAlertRule
{
    public string Id => AlertIds.BlockedStreak;

    public AlertRule Defaults { get; } = new(AlertIds.BlockedStreak, true, Severity.Medium, 3, TimeSpan.Zero, TimeSpan.Zero, string.Empty, false);

    public IReadOnlyList<string> Keys { get; } = ["more_than"];

    public AlertStatus Evaluate(AlertRule rule, AlertInputs inputs, DateTimeOffset now)
    {
        var log = inputs.Log;
        // Newest first: blocked responses until the last applied one.
        var streak = new List<AuditRecord>();
        foreach (var record in log.Reverse())
        {
            if (record.Event == AuditEvents.ResponseStarted && record.Mode == ResponseModes.Apply)
            {
                break;
            }

            if (record.Event == AuditEvents.ResponseBlocked)
            {
                streak.Add(record);
            }
        }

        streak.Reverse();
        var firing = streak.Count > rule.MoreThan;
        return AlertStatus.For(
            rule,
            firing,
            $"{streak.Count} consecutive blocked response(s)",
            $"> {rule.MoreThan}",
            firing ? streak[rule.MoreThan].Timestamp : null,
            streak.TakeLast(20).Select(b => new AlertEvidence(b.Timestamp, $"{b.Policy} {b.Mode} blocked by {string.Join(", ", b.BlockedBy ?? [])}", b.RunUrl)).ToArray());
    }

    /// <summary>While the brake is engaged, blocks are its consequence, already an alert of their own.</summary>
    public string? InhibitedBy(AlertInputs inputs) => inputs.Brake.IsEngaged ? AlertIds.BrakeEngaged : null;
}
