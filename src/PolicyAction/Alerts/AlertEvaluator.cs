using PolicyAction.Configuration;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary>What the rules look at.</summary>
/// <param name="FixBranches">Fix branches and when they were first seen; null when GitHub could not be asked.</param>
internal sealed record AlertInputs(IReadOnlyList<AuditRecord> Log, SafetyBrakeState Brake, IReadOnlyList<FixBranch>? FixBranches);

/// <summary>The alert rules over the audit log, the brake and the fix branches, at one moment.</summary>
internal sealed class AlertEvaluator
{
    /// <summary>How far back streaks are followed; older history is not re-read on every run.</summary>
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
        var statuses = new List<AlertStatus>();
        foreach (var id in AlertIds.All)
        {
            var rule = _settings.Rules[id];
            if (!rule.Enabled)
            {
                continue;
            }

            var status = id switch
            {
                AlertIds.RedFlips => RedFlips(rule, inputs.Log, now),
                AlertIds.BrakeEngaged => BrakeEngaged(rule, inputs.Brake, now),
                AlertIds.BlockedStreak => BlockedStreak(rule, inputs.Log),
                AlertIds.FixBranches => FixBranches(rule, inputs.FixBranches, now),
                AlertIds.ActionFailures => ActionFailures(rule, inputs.Log),
                _ => throw new InvalidOperationException(id),
            };

            // Inhibition: while the brake is engaged, blocks are its consequence, already an alert of their own.
            if (id == AlertIds.BlockedStreak && inputs.Brake.IsEngaged && status.Firing)
            {
                status = status with { Inhibited = true, InhibitedBy = AlertIds.BrakeEngaged };
            }

            var silence = _settings.Silences.FirstOrDefault(s => s.Alert == id && s.Until > now);
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

    private static AlertStatus Status(AlertRule rule, bool firing, string observed, string threshold, DateTimeOffset? since, IReadOnlyList<AlertEvidence> evidence, bool evaluated = true) => new()
    {
        Id = rule.Id,
        Severity = rule.Severity.ToName(),
        Evaluated = evaluated,
        Firing = firing,
        Observed = observed,
        Threshold = threshold,
        Since = firing ? since : null,
        Fingerprint = AlertStatus.FingerprintOf(rule.Id),
        Evidence = evidence,
    };

    private static AlertStatus RedFlips(AlertRule rule, IReadOnlyList<AuditRecord> log, DateTimeOffset now)
    {
        var flips = log
            .Where(r => r.Event == AuditEvents.LevelChanged && r.Policy == "RED" && r.PreviousPolicy is not null && r.PreviousPolicy != "RED")
            .Where(r => r.Timestamp > now - rule.Window)
            .OrderBy(r => r.Timestamp)
            .ToArray();
        var firing = flips.Length > rule.MoreThan;
        return Status(
            rule,
            firing,
            $"{flips.Length} flip(s) into RED in {Durations.Format(rule.Window)}",
            $"> {rule.MoreThan}",
            firing ? flips[rule.MoreThan].Timestamp : null,
            flips.Select(f => new AlertEvidence(f.Timestamp, $"{f.PreviousPolicy} → RED" + (f.RunUrl is null ? string.Empty : $" ({f.RunUrl})"))).ToArray());
    }

    private static AlertStatus BrakeEngaged(AlertRule rule, SafetyBrakeState brake, DateTimeOffset now)
    {
        var threshold = $"> {Durations.Format(rule.LongerThan)}";
        if (!brake.IsEngaged)
        {
            return Status(rule, false, "off", threshold, null, []);
        }

        var evidence = new[] { new AlertEvidence(brake.EngagedAt ?? now, $"engaged by {brake.EngagedBy ?? "unknown"}: {brake.Reason ?? "no reason given"}") };
        if (brake.EngagedAt is not { } since)
        {
            // Engaged with no time recorded: it cannot be shown to be recent, so it counts as too long.
            return Status(rule, true, "engaged since an unknown time", threshold, now, evidence);
        }

        var engaged = now - since;
        return Status(rule, engaged > rule.LongerThan, $"engaged for {Describe(engaged)}", threshold, since + rule.LongerThan, evidence);
    }

    private static AlertStatus BlockedStreak(AlertRule rule, IReadOnlyList<AuditRecord> log)
    {
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
        return Status(
            rule,
            firing,
            $"{streak.Count} consecutive blocked response(s)",
            $"> {rule.MoreThan}",
            firing ? streak[rule.MoreThan].Timestamp : null,
            streak.TakeLast(20).Select(b => new AlertEvidence(b.Timestamp, $"{b.Policy} {b.Mode} blocked by {string.Join(", ", b.BlockedBy ?? [])}")).ToArray());
    }

    private static AlertStatus FixBranches(AlertRule rule, IReadOnlyList<FixBranch>? branches, DateTimeOffset now)
    {
        if (branches is null)
        {
            return Status(rule, false, "not evaluated (no GitHub access)", $"> 0 in {Durations.Format(rule.Window)}", null, [], evaluated: false);
        }

        var recent = branches.Where(b => b.FirstSeen > now - rule.Window).OrderBy(b => b.FirstSeen).ToArray();
        return Status(
            rule,
            recent.Length > 0,
            $"{recent.Length} new branch(es) under {rule.Prefix} in {Durations.Format(rule.Window)}",
            $"> 0 in {Durations.Format(rule.Window)}",
            recent.FirstOrDefault()?.FirstSeen,
            recent.Select(b => new AlertEvidence(b.FirstSeen, b.Name)).ToArray());
    }

    private static AlertStatus ActionFailures(AlertRule rule, IReadOnlyList<AuditRecord> log)
    {
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
        return Status(
            rule,
            firing,
            $"{streak.Count} consecutive response(s) with a failed action",
            $"> {rule.MoreThan}",
            firing ? streak[rule.MoreThan].Timestamp : null,
            streak.TakeLast(20).Select(r => new AlertEvidence(
                r.Timestamp,
                $"{r.Policy} response {r.ResponseId:D}: " + string.Join("; ", failedActions[r.ResponseId].Select(a => $"{a.Action} {a.Detail ?? a.Status}")))).ToArray());
    }

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : $"{Math.Max(0, (int)span.TotalMinutes)} min";
}
