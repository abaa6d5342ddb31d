using PolicyAction.Configuration;
using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary>What the rules look at.</summary>
/// <param name="FixBranches">Fix branches and when they were first seen; null when GitHub could not be asked.</param>
internal sealed record AlertInputs(IReadOnlyList<AuditRecord> Log, SafetyBrakeState Brake, IReadOnlyList<FixBranch>? FixBranches);

/// <summary>The alert rules (<see cref="AlertRules.All"/>) over the audit log, the brake and the fix branches, at one moment, with inhibitions and silences.</summary>
internal sealed class AlertEvaluator
{
    /// <summary>
    /// How far back streaks are followed: a record counts when it is dated at most this long ago. The log is read
    /// further back (the ordering allowance, <see cref="AuditLog.OrderingSlack"/>) only so that a record inside the
    /// window that sits behind a slightly older one is still found; what that extra read finds does not count.
    /// </summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(31);

    private readonly TimeProvider _clock;
    private readonly AlertSettings _settings;

    public AlertEvaluator(TimeProvider clock, AlertSettings settings)
    {
        _clock = clock;
        _settings = settings;
    }

    public AlertReport Evaluate(AlertInputs inputs)
    {
        var now = _clock.GetUtcNow();
        inputs = inputs with { Log = inputs.Log.Where(r => r.Timestamp >= now - LookBack).ToArray() };
        var statuses = new List<AlertStatus>();
        foreach (var rule in AlertRules.All)
        {
            var settings = _settings.Rules[rule.Id];
            if (!settings.Enabled)
            {
                continue;
            }

            var status = rule.Evaluate(settings, inputs, now);
            if (status.Firing && rule.InhibitedBy(inputs) is { } inhibitor)
            {
                status = status with { Inhibited = true, InhibitedBy = inhibitor };
            }

            var silence = _settings.Silences.FirstOrDefault(s => s.Alert == rule.Id && s.Until > now);
            if (silence is not null)
            {
                status = status with { Silenced = true, SilenceReason = silence.Reason, SilencedUntil = silence.Until };
            }

            statuses.Add(status);
        }

        return new AlertReport { EvaluatedAt = now, Alerts = statuses, FixBranchesSeen = inputs.FixBranches ?? [] };
    }

    /// <summary>True when an active alert is at or above the fail_on severity.</summary>
    public bool ShouldFail(AlertReport report) =>
        _settings.FailOn is { } threshold && report.Alerts.Any(a => a.Active && a.ParsedSeverity >= threshold);
}
