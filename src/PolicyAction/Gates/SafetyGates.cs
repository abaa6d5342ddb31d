using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Gates;

/// <summary>While the trust guard is locked, no automated response runs.</summary>
internal sealed class TrustGuardGate : IGate
{
    public string Name => GateNames.TrustGuard;

    public bool CoveredByPlanDigest => true;

    // Operators change it on the branch (the control workflow) while a run waits with an older checkout.
    public bool RecheckedOnSharedLog => true;

    public GateResult Evaluate(GateCheck check) => Verdict(check.Inputs.Trust);

    /// <summary>What the gate says of this lock state (also <c>trust status --json</c>).</summary>
    public static GateResult Verdict(TrustLockState trust)
    {
        if (!trust.Locked)
        {
            return new GateResult(GateNames.TrustGuard, true, "unlocked", "unlocked", "trust guard is unlocked");
        }

        var detail = $"locked by {trust.LockedBy ?? "unknown"} at {Times.Format(trust.LockedAt)}: {trust.Reason ?? "no reason given"}"
            + (trust.LockId is null ? string.Empty : $" (lock id {trust.LockId})");
        return new GateResult(GateNames.TrustGuard, false, "locked", "unlocked", detail);
    }
}

/// <summary>While the safety brake is engaged, no automated response runs.</summary>
internal sealed class SafetyBrakeGate : IGate
{
    public string Name => GateNames.SafetyBrake;

    public bool CoveredByPlanDigest => true;

    // Operators change it on the branch (the control workflow) while a run waits with an older checkout.
    public bool RecheckedOnSharedLog => true;

    public GateResult Evaluate(GateCheck check) => Verdict(check.Inputs.Brake, check.Inputs.Now);

    /// <summary>What the gate says of this brake state at <paramref name="now"/> (also <c>brake status --json</c>).</summary>
    public static GateResult Verdict(SafetyBrakeState brake, DateTimeOffset now)
    {
        if (!brake.IsEngaged)
        {
            return new GateResult(GateNames.SafetyBrake, true, "off", "off", "safety brake is off");
        }

        var since = brake.EngagedAt is { } at ? $" for {Duration(now - at)}" : string.Empty;
        var detail = $"engaged{since} by {brake.EngagedBy ?? "unknown"}: {brake.Reason ?? "no reason given"}";
        return new GateResult(GateNames.SafetyBrake, false, "engaged", "off", detail);
    }

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : $"{Math.Max(0, (int)span.TotalMinutes)} min";
}

/// <summary>At most N applied responses in a rolling 24 h, counted from the audit log (dry runs never count).</summary>
internal sealed class RateLimitGate : IGate
{
    public string Name => GateNames.RateLimit;

    public TimeSpan LookBack(GateRequest request) => GateEvaluator.Window;

    public bool CoveredByPlanDigest => true;

    public bool RecheckedOnSharedLog => true;

    /// <summary>Applied responses started in the rolling window ending now.</summary>
    public static int AppliedResponsesInWindow(IEnumerable<AuditRecord> log, DateTimeOffset now) => AppliedInWindow(log, now).Count();

    private static IEnumerable<AuditRecord> AppliedInWindow(IEnumerable<AuditRecord> log, DateTimeOffset now) =>
        log.Where(r => r.Event == AuditEvents.ResponseStarted && r.Mode == ResponseModes.Apply && InWindow(r.Timestamp, now));

    /// <summary>
    /// When the window next has room for an apply: the applied response that must leave it for the count to go under
    /// <paramref name="max"/>, plus 24 h; null when there is room now or never (a limit of 0).
    /// </summary>
    public static DateTimeOffset? SlotFreesAt(IEnumerable<AuditRecord> log, DateTimeOffset now, int max)
    {
        var started = AppliedInWindow(log, now)
            .Select(r => r.Timestamp)
            .Order()
            .ToArray();
        return max > 0 && started.Length >= max ? started[started.Length - max] + GateEvaluator.Window : null;
    }

    // Records dated in the future (clock skew, edits) still count: the safe direction.
    internal static bool InWindow(DateTimeOffset timestamp, DateTimeOffset now) => timestamp > now - GateEvaluator.Window;

    public GateResult Evaluate(GateCheck check)
    {
        var max = check.Inputs.Limits.MaxResponsesPer24Hours;
        var count = AppliedResponsesInWindow(check.Inputs.Log, check.Inputs.Now);
        var passed = count < max;
        var detail = passed
            ? $"{count} applied response(s) in the last 24 h; room for {max - count} more"
            : $"{count} applied response(s) in the last 24 h reached the limit of {max}";
        return new GateResult(Name, passed, count.ToString(System.Globalization.CultureInfo.InvariantCulture), $"< {max}", detail);
    }
}

/// <summary>At most M manual unlocks of the trust guard in a rolling 24 h; automation waits until they age out.</summary>
internal sealed class ManualUnlocksGate : IGate
{
    public string Name => GateNames.ManualUnlocks;

    public bool CoveredByPlanDigest => true;

    public static int ManualUnlocksInWindow(TrustLockState trust, DateTimeOffset now) =>
        trust.Unlocks.Count(u => RateLimitGate.InWindow(u.UnlockedAt, now));

    public GateResult Evaluate(GateCheck check)
    {
        var max = check.Inputs.Limits.MaxManualUnlocksPerDay;
        var count = ManualUnlocksInWindow(check.Inputs.Trust, check.Inputs.Now);
        var passed = count <= max;
        var detail = passed
            ? $"{count} manual unlock(s) in the last 24 h"
            : $"{count} manual unlock(s) in the last 24 h exceed the limit of {max}; automation waits until they age out";
        return new GateResult(Name, passed, count.ToString(System.Globalization.CultureInfo.InvariantCulture), $"<= {max}", detail);
    }
}

/// <summary>
/// Holds an apply to the plan a reviewer approved (<c>--plan-digest</c>, input <c>plan-digest</c>): any change to the
/// actions or to the gate state they saw gives another digest, and nothing runs.
/// </summary>
internal sealed class PlanDigestGate : IGate
{
    public string Name => GateNames.PlanDigest;

    public GateResult? Evaluate(GateCheck check)
    {
        if (check.Request.ExpectedPlanDigest is not { } given)
        {
            return null;
        }

        var expected = given.Trim();
        if (check.PlanDigest is not { } current)
        {
            return new GateResult(Name, false, "no plan", expected, "no plan to compare the approved digest with; give the policy level");
        }

        return string.Equals(expected, current, StringComparison.OrdinalIgnoreCase)
            ? new GateResult(Name, true, current, expected, "the plan is the one approved")
            : new GateResult(Name, false, current, expected, $"the plan changed since it was approved: approved {expected}, current {current}");
    }

    public string BlockMessage(GateResult result, IReadOnlyList<string> blockedBy) =>
        $"the plan changed since it was approved: approved {result.Limit}, current {result.Observed}. "
        + "Nothing was executed; review the new preview and approve its digest.";
}

/// <summary>An applied response that started and never finished blocks the next ones until undone or acknowledged.</summary>
internal sealed class InterruptedResponseGate : IGate
{
    public string Name => GateNames.InterruptedResponse;

    public TimeSpan LookBack(GateRequest request) => InterruptedResponses.LookBack;

    public GateResult Evaluate(GateCheck check)
    {
        // Checked in dry runs too, so a preview says now what would stop the apply.
        var interrupted = InterruptedResponses.Find(check.Inputs.Log.Where(r => r.Timestamp > check.Inputs.Now - InterruptedResponses.LookBack).ToArray());
        return interrupted is [var first, ..]
            ? new GateResult(Name, false, $"{interrupted.Count} unfinished", "none", InterruptedResponses.Advice(first))
            : new GateResult(Name, true, "none", "none", $"no applied response of the last {InterruptedResponses.LookBack.TotalDays:0} days is unfinished");
    }

    public string BlockMessage(GateResult result, IReadOnlyList<string> blockedBy) => $"blocked by {Name}: {result.Detail}";
}
