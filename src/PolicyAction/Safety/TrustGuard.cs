using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Safety;

/// <summary>
/// The trust guard controller. A lock stops all automation; <c>unlock</c> releases your own lock (who you are:
/// <see cref="RunContext.Actor"/>), <c>force-unlock</c> releases anyone's but only with the current lock id (as Terraform's force-unlock).
/// Every unlock is recorded with who, when and why, and counts toward the manual-unlock gate.
/// </summary>
internal sealed class TrustGuard
{
    private readonly StateStore _store;
    private readonly TimeProvider _clock;
    private readonly Reporter _reporter;
    private readonly RunContext _context;

    public TrustGuard(StateStore store, TimeProvider clock, Reporter reporter, RunContext context)
    {
        _store = store;
        _clock = clock;
        _reporter = reporter;
        _context = context;
    }

    public void Status()
    {
        var state = _store.ReadTrust();
        var now = _clock.GetUtcNow();
        if (state.Locked)
        {
            _reporter.Line($"trust guard: LOCKED (lock id {state.LockId ?? "none"})");
            _reporter.Line($"  locked by {state.LockedBy ?? "unknown"} at {Times.Format(state.LockedAt)}");
            _reporter.Line($"  reason: {state.Reason ?? "none given"}");
        }
        else
        {
            _reporter.Line("trust guard: unlocked");
        }

        _reporter.Line($"  manual unlocks in the last 24 h: {ManualUnlocksGate.ManualUnlocksInWindow(state, now)}");
        foreach (var unlock in state.Unlocks.TakeLast(5))
        {
            _reporter.Line($"  {(unlock.Forced ? "force-unlocked" : "unlocked")} {Times.Format(unlock.UnlockedAt)} by {unlock.UnlockedBy ?? "unknown"}: {unlock.Reason}");
        }
    }

    public TrustStatusReport Report()
    {
        var state = _store.ReadTrust();
        return new TrustStatusReport
        {
            Locked = state.Locked,
            LockId = state.LockId,
            LockedAt = state.LockedAt,
            LockedBy = state.LockedBy,
            Reason = state.Reason,
            ManualUnlocksLast24h = ManualUnlocksGate.ManualUnlocksInWindow(state, _clock.GetUtcNow()),
            RecentUnlocks = state.Unlocks.TakeLast(5).ToArray(),
            Gate = TrustGuardGate.Verdict(state),
        };
    }

    public StateChange Lock(string reason)
    {
        reason = RequireReason(reason);
        var state = _store.ReadTrust();
        if (state.Locked)
        {
            return StateChange.Unchanged($"trust guard is already locked (lock id {state.LockId}, by {state.LockedBy}); nothing changed").PrintedBy(_reporter);
        }

        var now = _clock.GetUtcNow();
        var lockId = Guid.NewGuid().ToString("D");
        _store.WriteTrust(state with { Locked = true, LockId = lockId, Reason = reason, LockedAt = now, LockedBy = _context.Actor });
        return Log(AuditEvents.TrustLocked, now, lockId, reason, $"trust guard locked (lock id {lockId}); automated responses are blocked until it is unlocked").PrintedBy(_reporter);
    }

    public StateChange Unlock(string reason) => Release(reason, expectedLockId: null);

    public StateChange ForceUnlock(string lockId, string reason)
    {
        if (string.IsNullOrWhiteSpace(lockId))
        {
            throw new UsageException("force-unlock needs --lock-id with the current lock's id (see 'policy-response trust status')");
        }

        return Release(reason, lockId.Trim());
    }

    private StateChange Release(string reason, string? expectedLockId)
    {
        reason = RequireReason(reason);
        var state = _store.ReadTrust();
        if (!state.Locked)
        {
            return StateChange.Unchanged("trust guard is not locked; nothing changed").PrintedBy(_reporter);
        }

        var forced = expectedLockId is not null;
        if (forced && !string.Equals(state.LockId, expectedLockId, StringComparison.Ordinal))
        {
            throw new UsageException($"lock id {expectedLockId} does not match the current lock ({state.LockId ?? "none"}); nothing changed. Check 'policy-response trust status'");
        }

        if (!forced && !string.Equals(state.LockedBy, _context.Actor, StringComparison.Ordinal))
        {
            // Outside a runner GITHUB_ACTOR is only a claim: naming the owner there must not pass for being the owner.
            throw new UsageException(
                $"the lock was taken by {state.LockedBy ?? "unknown"}, not {_context.Actor}"
                + (_context.ClaimedActor is { } claimed ? $" (outside a GitHub Actions runner you are the operating-system user; GITHUB_ACTOR={claimed} is recorded, not trusted)" : string.Empty)
                + $"; to release someone else's lock use 'policy-response trust force-unlock --lock-id {state.LockId} --reason \"...\"'");
        }

        var now = _clock.GetUtcNow();
        var unlock = new UnlockRecord { LockId = state.LockId, Reason = reason, UnlockedAt = now, UnlockedBy = _context.Actor, Forced = forced };
        _store.WriteTrust(state with
        {
            Locked = false,
            LockId = null,
            Reason = null,
            LockedAt = null,
            LockedBy = null,
            Unlocks = [.. state.Unlocks, unlock],
        });
        return Log(
            forced ? AuditEvents.TrustForceUnlocked : AuditEvents.TrustUnlocked,
            now,
            state.LockId,
            reason,
            $"trust guard {(forced ? "force-unlocked" : "unlocked")} by {_context.Actor} (lock id {state.LockId}); manual unlocks in the last 24 h: {ManualUnlocksGate.ManualUnlocksInWindow(state with { Unlocks = [.. state.Unlocks, unlock] }, now)}").PrintedBy(_reporter);
    }

    private StateChange Log(string eventName, DateTimeOffset now, string? lockId, string reason, string message)
    {
        _store.AuditLog.Append(new AuditRecord { Timestamp = now, Event = eventName, Actor = _context.Actor, ClaimedActor = _context.ClaimedActor, LockId = lockId, Reason = reason, RunUrl = _context.RunUrl });
        return StateChange.Recorded(_store, message, _store.Paths.TrustLockState);
    }

    internal static string RequireReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason)
            ? throw new UsageException("--reason is required and must not be empty: say why, for whoever reads the audit log")
            : reason.Trim();
}
