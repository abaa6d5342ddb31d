using PolicyAction.Output;

namespace PolicyAction.Alerts;

/// <summary><c>brake_engaged</c>: the safety brake engaged for longer than a duration.</summary>
internal sealed class BrakeEngagedRule : IAlertRule
{
    public string Id => AlertIds.BrakeEngaged;

    public AlertRule Defaults { get; } = new(AlertIds.BrakeEngaged, true, Severity.Critical, 0, TimeSpan.FromHours(4), TimeSpan.Zero, string.Empty, false);

    public IReadOnlyList<string> Keys { get; } = ["longer_than"];

    public AlertStatus Evaluate(AlertRule rule, AlertInputs inputs, DateTimeOffset now)
    {
        var brake = inputs.Brake;
        var threshold = $"> {Durations.Format(rule.LongerThan)}";
        if (!brake.IsEngaged)
        {
            return AlertStatus.For(rule, false, "off", threshold, null, []);
        }

        // The run that engaged it, when the audit log's last engagement is in the window read.
        var engagedBy = inputs.Log.LastOrDefault(r => r.Event == State.AuditEvents.BrakeEngaged)?.RunUrl;
        var evidence = new[] { new AlertEvidence(brake.EngagedAt ?? now, $"engaged by {brake.EngagedBy ?? "unknown"}: {brake.Reason ?? "no reason given"}", engagedBy) };
        if (brake.EngagedAt is not { } since)
        {
            // Engaged with no time recorded: it cannot be shown to be recent, so it counts as too long.
            return AlertStatus.For(rule, true, "engaged since an unknown time", threshold, now, evidence);
        }

        var engaged = now - since;
        return AlertStatus.For(rule, engaged > rule.LongerThan, $"engaged for {Describe(engaged)}", threshold, since + rule.LongerThan, evidence);
    }

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : $"{Math.Max(0, (int)span.TotalMinutes)} min";
}
