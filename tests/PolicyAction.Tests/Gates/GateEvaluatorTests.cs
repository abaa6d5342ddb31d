using Microsoft.Extensions.Time.Testing;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Gates;

public class GateEvaluatorTests
{
    private static readonly DateTimeOffset Now = CliHarness.Now;

    private static GateEvaluation Evaluate(
        TrustLockState? trust = null,
        SafetyBrakeState? brake = null,
        IReadOnlyList<AuditRecord>? log = null,
        GateLimits? limits = null) =>
        new GateEvaluator(new FakeTimeProvider(Now)).Evaluate(
            new GateInputs(trust ?? TrustLockState.Default, brake ?? SafetyBrakeState.Default, log ?? [], limits ?? GateLimits.Default));

    private static AuditRecord Started(TimeSpan ago, string mode = "apply") =>
        new() { Timestamp = Now - ago, Event = AuditEvents.ResponseStarted, Mode = mode, ResponseId = Guid.NewGuid() };

    private static GateResult Gate(GateEvaluation evaluation, string name) => evaluation.Gates.Single(g => g.Name == name);

    [Fact]
    public void All_four_gates_pass_on_a_fresh_workspace()
    {
        var evaluation = Evaluate();

        Assert.True(evaluation.Passed);
        Assert.Equal([GateNames.TrustGuard, GateNames.SafetyBrake, GateNames.RateLimit, GateNames.ManualUnlocks], evaluation.Gates.Select(g => g.Name));
        Assert.Empty(evaluation.BlockedBy);
        Assert.Equal(Now, evaluation.EvaluatedAt);
    }

    [Fact]
    public void A_locked_trust_guard_blocks_and_says_who_and_why()
    {
        var trust = new TrustLockState { Locked = true, LockId = "L-1", LockedBy = "alice", Reason = "incident 42", LockedAt = Now.AddHours(-1) };

        var evaluation = Evaluate(trust: trust);

        Assert.False(evaluation.Passed);
        Assert.Equal([GateNames.TrustGuard], evaluation.BlockedBy);
        var gate = Gate(evaluation, GateNames.TrustGuard);
        Assert.Equal(("locked", "unlocked"), (gate.Observed, gate.Limit));
        Assert.Contains("alice", gate.Detail, StringComparison.Ordinal);
        Assert.Contains("incident 42", gate.Detail, StringComparison.Ordinal);
        Assert.Contains("L-1", gate.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_engaged_safety_brake_blocks_and_says_for_how_long()
    {
        var brake = new SafetyBrakeState { IsEngaged = true, EngagedAt = Now.AddHours(-5), EngagedBy = "bob", Reason = "drill" };

        var evaluation = Evaluate(brake: brake);

        Assert.Equal([GateNames.SafetyBrake], evaluation.BlockedBy);
        var gate = Gate(evaluation, GateNames.SafetyBrake);
        Assert.Equal("engaged", gate.Observed);
        Assert.Contains("5 h", gate.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9, true)]
    [InlineData(10, false)]
    [InlineData(11, false)]
    public void The_rate_limit_allows_responses_while_the_count_is_below_the_maximum(int applied, bool passes)
    {
        var log = Enumerable.Range(0, applied).Select(i => Started(TimeSpan.FromHours(i * 2))).ToArray();

        var gate = Gate(Evaluate(log: log), GateNames.RateLimit);

        Assert.Equal(passes, gate.Passed);
        Assert.Equal(applied.ToString(), gate.Observed);
        Assert.Equal("< 10", gate.Limit);
    }

    [Fact]
    public void The_rate_limit_window_is_the_rolling_last_24_hours()
    {
        var exactlyADayAgo = Started(TimeSpan.FromHours(24));
        var justInside = Started(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        var limits = new GateLimits(1, 3);

        Assert.True(Gate(Evaluate(log: [exactlyADayAgo], limits: limits), GateNames.RateLimit).Passed);
        Assert.False(Gate(Evaluate(log: [justInside], limits: limits), GateNames.RateLimit).Passed);
    }

    [Fact]
    public void Dry_runs_and_other_events_never_count_toward_the_rate_limit()
    {
        var log = new[]
        {
            Started(TimeSpan.FromMinutes(1), mode: "dry-run"),
            new AuditRecord { Timestamp = Now, Event = AuditEvents.ResponseBlocked, Mode = "apply" },
            new AuditRecord { Timestamp = Now, Event = AuditEvents.ResponseFinished, Mode = "apply" },
        };

        var gate = Gate(Evaluate(log: log, limits: new GateLimits(1, 3)), GateNames.RateLimit);

        Assert.True(gate.Passed);
        Assert.Equal("0", gate.Observed);
    }

    [Fact]
    public void Future_dated_records_still_count_so_clock_skew_cannot_open_the_gate()
    {
        var gate = Gate(Evaluate(log: [Started(TimeSpan.FromHours(-3))], limits: new GateLimits(1, 3)), GateNames.RateLimit);

        Assert.False(gate.Passed);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void Manual_unlocks_may_reach_but_not_exceed_the_daily_maximum(int unlocks, bool passes)
    {
        var trust = new TrustLockState
        {
            Locked = false,
            Unlocks = Enumerable.Range(0, unlocks).Select(i => new UnlockRecord { UnlockedAt = Now.AddHours(-i), Forced = i % 2 == 0 }).ToArray(),
        };

        var gate = Gate(Evaluate(trust: trust), GateNames.ManualUnlocks);

        Assert.Equal(passes, gate.Passed);
        Assert.Equal(unlocks.ToString(), gate.Observed);
    }

    [Fact]
    public void Unlocks_older_than_a_day_age_out()
    {
        var trust = new TrustLockState
        {
            Locked = false,
            Unlocks = Enumerable.Range(0, 10).Select(i => new UnlockRecord { UnlockedAt = Now.AddDays(-1).AddMinutes(-i) }).ToArray(),
        };

        Assert.True(Gate(Evaluate(trust: trust), GateNames.ManualUnlocks).Passed);
    }

    [Fact]
    public void Every_failing_gate_is_reported_not_just_the_first()
    {
        var evaluation = Evaluate(
            trust: new TrustLockState { Locked = true },
            brake: new SafetyBrakeState { IsEngaged = true },
            log: [Started(TimeSpan.FromMinutes(5))],
            limits: new GateLimits(0, 3));

        Assert.Equal([GateNames.TrustGuard, GateNames.SafetyBrake, GateNames.RateLimit], evaluation.BlockedBy);
    }
}
