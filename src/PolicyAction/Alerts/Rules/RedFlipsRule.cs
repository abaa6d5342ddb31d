using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary><c>red_flips</c>: RED flapping: more than N flips into RED in a window.</summary>
internal sealed class RedFlipsRule : IAlertRule
{
    public string Id => AlertIds.RedFlips;

    public AlertRule Defaults { get; } = new(AlertIds.RedFlips, true, Severity.High, 2, TimeSpan.Zero, TimeSpan.FromHours(24), string.Empty, false);

    public IReadOnlyList<string> Keys { get; } = ["more_than", "window"];

    public AlertStatus Evaluate(AlertRule rule, AlertInputs inputs, DateTimeOffset now)
    {
        var log = inputs.Log;
        var flips = log
            .Where(r => r.Event == AuditEvents.LevelChanged && r.Policy == "RED" && r.PreviousPolicy is not null && r.PreviousPolicy != "RED")
            .Where(r => r.Timestamp > now - rule.Window)
            .OrderBy(r => r.Timestamp)
            .ToArray();
        var firing = flips.Length > rule.MoreThan;
        return AlertStatus.For(
            rule,
            firing,
            $"{flips.Length} flip(s) into RED in {Durations.Format(rule.Window)}",
            $"> {rule.MoreThan}",
            firing ? flips[rule.MoreThan].Timestamp : null,
            flips.Select(f => new AlertEvidence(f.Timestamp, $"{f.PreviousPolicy} → RED", f.RunUrl)).ToArray());
    }
}
