using PolicyAction.Configuration;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Gates;

/// <summary>What the gates look at, read fresh from the workspace on every run.</summary>
internal sealed record GateInputs(
    TrustLockState Trust,
    SafetyBrakeState Brake,
    IReadOnlyList<AuditRecord> AuditLog,
    GateLimits Limits);

/// <summary>
/// The seed's four safety gates. Counts come from the audit log and the unlock history on
/// every run: each run is a new process, so an in-memory limiter would count nothing.
/// </summary>
internal sealed class GateEvaluator
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private readonly TimeProvider _clock;

    public GateEvaluator(TimeProvider clock)
    {
        _clock = clock;
    }

    public GateEvaluation Evaluate(GateInputs inputs)
    {
        var now = _clock.GetUtcNow();
        GateResult[] gates =
        [
            TrustGuard(inputs.Trust),
            SafetyBrake(inputs.Brake, now),
            RateLimit(inputs.AuditLog, inputs.Limits.MaxResponsesPer24Hours, now),
            ManualUnlocks(inputs.Trust, inputs.Limits.MaxManualUnlocksPerDay, now),
        ];
        return new GateEvaluation(now, gates.All(g => g.Passed), gates);
    }

    /// <summary>Applied responses started in the rolling window ending now (dry runs never count).</summary>
    public static int AppliedResponsesInWindow(IEnumerable<AuditRecord> log, DateTimeOffset now) =>
        log.Count(r => r.Event == AuditEvents.ResponseStarted && r.Mode == "apply" && InWindow(r.Timestamp, now));

    public static int ManualUnlocksInWindow(TrustLockState trust, DateTimeOffset now) =>
        trust.Unlocks.Count(u => InWindow(u.UnlockedAt, now));

    // Records dated in the future (clock skew, edits) still count: the safe direction.
    private static bool InWindow(DateTimeOffset timestamp, DateTimeOffset now) => timestamp > now - Window;

    private static GateResult TrustGuard(TrustLockState trust)
    {
        if (!trust.Locked)
        {
            return new GateResult(GateNames.TrustGuard, true, "unlocked", "unlocked", "trust guard is unlocked");
        }

        var detail = $"locked by {trust.LockedBy ?? "unknown"} at {Times.Format(trust.LockedAt)}: {trust.Reason ?? "no reason given"}"
            + (trust.LockId is null ? string.Empty : $" (lock id {trust.LockId})");
        return new GateResult(GateNames.TrustGuard, false, "locked", "unlocked", detail);
    }

    private static GateResult SafetyBrake(SafetyBrakeState brake, DateTimeOffset now)
    {
        if (!brake.IsEngaged)
        {
            return new GateResult(GateNames.SafetyBrake, true, "off", "off", "safety brake is off");
        }

        var since = brake.EngagedAt is { } at ? $" for {Duration(now - at)}" : string.Empty;
        var detail = $"engaged{since} by {brake.EngagedBy ?? "unknown"}: {brake.Reason ?? "no reason given"}";
        return new GateResult(GateNames.SafetyBrake, false, "engaged", "off", detail);
    }

    private static GateResult RateLimit(IReadOnlyList<AuditRecord> log, int max, DateTimeOffset now)
    {
        var count = AppliedResponsesInWindow(log, now);
        var passed = count < max;
        var detail = passed
            ? $"{count} applied response(s) in the last 24 h; room for {max - count} more"
            : $"{count} applied response(s) in the last 24 h reached the limit of {max}";
        return new GateResult(GateNames.RateLimit, passed, count.ToString(), $"< {max}", detail);
    }

    private static GateResult ManualUnlocks(TrustLockState trust, int max, DateTimeOffset now)
    {
        var count = ManualUnlocksInWindow(trust, now);
        var passed = count <= max;
        var detail = passed
            ? $"{count} manual unlock(s) in the last 24 h"
            : $"{count} manual unlock(s) in the last 24 h exceed the limit of {max}; automation waits until they age out";
        return new GateResult(GateNames.ManualUnlocks, passed, count.ToString(), $"<= {max}", detail);
    }

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : $"{Math.Max(0, (int)span.TotalMinutes)} min";
}
