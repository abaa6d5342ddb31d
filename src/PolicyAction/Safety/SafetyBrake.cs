using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Safety;

/// <summary>The safety brake: while engaged, no automated response runs.</summary>
internal sealed class SafetyBrake
{
    private readonly StateStore _store;
    private readonly TimeProvider _clock;
    private readonly Reporter _reporter;
    private readonly RunContext _context;

    public SafetyBrake(StateStore store, TimeProvider clock, Reporter reporter, RunContext context)
    {
        _store = store;
        _clock = clock;
        _reporter = reporter;
        _context = context;
    }

    public void Status()
    {
        var state = _store.ReadBrake();
        if (state.IsEngaged)
        {
            var since = state.EngagedAt is { } at ? $" since {Times.Format(at)} ({(_clock.GetUtcNow() - at).TotalHours:0.0} h)" : string.Empty;
            _reporter.Line($"safety brake: ENGAGED{since} by {state.EngagedBy ?? "unknown"}");
            _reporter.Line($"  reason: {state.Reason ?? "none given"}");
        }
        else
        {
            _reporter.Line("safety brake: off");
            if (state.ReleasedAt is { } released)
            {
                _reporter.Line($"  last released {Times.Format(released)} by {state.ReleasedBy ?? "unknown"}: {state.ReleaseReason}");
            }
        }
    }

    public BrakeStatusReport Report()
    {
        var state = _store.ReadBrake();
        return new BrakeStatusReport
        {
            IsEngaged = state.IsEngaged,
            EngagedAt = state.EngagedAt,
            EngagedBy = state.EngagedBy,
            Reason = state.Reason,
            ReleasedAt = state.ReleasedAt,
            ReleasedBy = state.ReleasedBy,
            ReleaseReason = state.ReleaseReason,
            Gate = SafetyBrakeGate.Verdict(state, _clock.GetUtcNow()),
        };
    }

    public StateChange Engage(string reason)
    {
        reason = TrustGuard.RequireReason(reason);
        var state = _store.ReadBrake();
        if (state.IsEngaged)
        {
            return StateChange.Unchanged($"safety brake is already engaged (since {Times.Format(state.EngagedAt)}); nothing changed").PrintedBy(_reporter);
        }

        var now = _clock.GetUtcNow();
        _store.WriteBrake(state with { IsEngaged = true, EngagedAt = now, EngagedBy = _context.Actor, Reason = reason });
        return Logged(AuditEvents.BrakeEngaged, now, reason, "safety brake engaged; automated responses are blocked until it is released").PrintedBy(_reporter);
    }

    public StateChange Release(string reason)
    {
        reason = TrustGuard.RequireReason(reason);
        var state = _store.ReadBrake();
        if (!state.IsEngaged)
        {
            return StateChange.Unchanged("safety brake is not engaged; nothing changed").PrintedBy(_reporter);
        }

        var now = _clock.GetUtcNow();
        _store.WriteBrake(state with { IsEngaged = false, ReleasedAt = now, ReleasedBy = _context.Actor, ReleaseReason = reason });
        return Logged(AuditEvents.BrakeReleased, now, reason, "safety brake released").PrintedBy(_reporter);
    }

    private StateChange Logged(string eventName, DateTimeOffset now, string reason, string message)
    {
        _store.AuditLog.Append(new AuditRecord { Timestamp = now, Event = eventName, Actor = _context.Actor, ClaimedActor = _context.ClaimedActor, Reason = reason, RunUrl = _context.RunUrl });
        return StateChange.Recorded(_store, message, _store.Paths.SafetyBrakeState);
    }
}
