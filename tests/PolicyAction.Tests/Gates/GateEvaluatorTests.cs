using Microsoft.Extensions.Time.Testing;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.RunnerProtocol;
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
        new GateEvaluator().Evaluate(
            new GateInputs(Now, trust ?? TrustLockState.Default, brake ?? SafetyBrakeState.Default, log ?? [], limits ?? GateLimits.Default),
            new GateRequest(Apply: false));

    private static AuditRecord Started(TimeSpan ago, string mode = "apply") =>
        new() { Timestamp = Now - ago, Event = AuditEvents.ResponseStarted, Mode = mode, ResponseId = Guid.NewGuid() };

    private static GateResult Gate(GateEvaluation evaluation, string name) => evaluation.Gates.Single(g => g.Name == name);

    [Fact]
    public void Every_gate_that_applies_passes_on_a_fresh_workspace()
    {
        var evaluation = Evaluate();

        Assert.True(evaluation.Passed);
        // The trigger gate speaks only in a runner, the plan-digest gate only when a digest is given.
        Assert.Equal([GateNames.TrustGuard, GateNames.SafetyBrake, GateNames.RateLimit, GateNames.ManualUnlocks, GateNames.InterruptedResponse], evaluation.Gates.Select(g => g.Name));
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

    [Theory]
    [InlineData(2, 20)] // two applied, a limit of two: the older one (20 h ago) must leave, 4 h from now
    [InlineData(1, 1)] // three applied in the window (one 30 h ago and a dry run do not count), a limit of one: all must leave, the newest (1 h ago) last
    public void The_rate_limit_frees_a_slot_when_the_applied_response_that_must_leave_the_window_turns_24_hours_old(int max, int hoursAgo)
    {
        AuditRecord[] log = [Started(TimeSpan.FromHours(20)), Started(TimeSpan.FromHours(1)), Started(TimeSpan.FromHours(5)), Started(TimeSpan.FromHours(30)), Started(TimeSpan.FromHours(2), mode: "dry-run")];
        var inWindow = max == 2 ? log[..2] : log;

        Assert.Equal(Now - TimeSpan.FromHours(hoursAgo) + TimeSpan.FromHours(24), RateLimitGate.SlotFreesAt(inWindow, Now, max));
    }

    [Fact]
    public void The_rate_limit_has_no_slot_time_when_there_is_room_or_a_limit_of_zero()
    {
        Assert.Null(RateLimitGate.SlotFreesAt([Started(TimeSpan.FromHours(1))], Now, 2));
        Assert.Null(RateLimitGate.SlotFreesAt([Started(TimeSpan.FromHours(1))], Now, 0));
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

        // The started response has no response_finished: it is also an interrupted one.
        Assert.Equal([GateNames.TrustGuard, GateNames.SafetyBrake, GateNames.RateLimit, GateNames.InterruptedResponse], evaluation.BlockedBy);
        Assert.Equal("blocked by trust_guard, safety_brake, rate_limit, interrupted_response: nothing was executed", evaluation.Message);
    }

    private static GateEvaluation EvaluateRequest(GateRequest request, IReadOnlyList<AuditRecord>? log = null) =>
        new GateEvaluator().Evaluate(new GateInputs(Now, TrustLockState.Default, SafetyBrakeState.Default, log ?? [], GateLimits.Default), request);

    private static ActionContext Runner(string eventName) => new() { EventName = eventName, Repository = "octo-org/octo-repo", RunId = "42", RunAttempt = "1" };

    [Fact]
    public void An_interrupted_response_blocks_with_the_advice_as_its_message()
    {
        var id = Guid.NewGuid();
        var evaluation = Evaluate(log: [new AuditRecord { Timestamp = Now.AddHours(-2), Event = AuditEvents.ResponseStarted, Mode = "apply", ResponseId = id, Policy = "RED", ActionsPlanned = 2 }]);

        Assert.Equal([GateNames.InterruptedResponse], evaluation.BlockedBy);
        Assert.StartsWith($"blocked by interrupted_response: response {id:D} (RED, started", evaluation.Message, StringComparison.Ordinal);
        Assert.Contains($"policy-response acknowledge {id:D}", evaluation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finished_or_acknowledged_response_does_not_block()
    {
        var finished = Guid.NewGuid();
        var acknowledged = Guid.NewGuid();
        var evaluation = Evaluate(log:
        [
            new AuditRecord { Timestamp = Now.AddDays(-2), Event = AuditEvents.ResponseStarted, Mode = "apply", ResponseId = finished },
            new AuditRecord { Timestamp = Now.AddDays(-2), Event = AuditEvents.ResponseFinished, Mode = "apply", ResponseId = finished },
            new AuditRecord { Timestamp = Now.AddDays(-2), Event = AuditEvents.ResponseStarted, Mode = "apply", ResponseId = acknowledged },
            new AuditRecord { Timestamp = Now.AddDays(-1), Event = AuditEvents.InterruptionAcknowledged, ResponseId = acknowledged },
        ]);

        Assert.True(evaluation.Gate(GateNames.InterruptedResponse)!.Passed);
    }

    [Theory]
    [InlineData("push", false, false)]
    [InlineData("push", true, true)]
    [InlineData("workflow_dispatch", true, false)]
    [InlineData("schedule", true, false)]
    public void The_trigger_gate_speaks_only_in_a_runner_and_blocks_only_an_apply(string eventName, bool apply, bool blocks)
    {
        Assert.Null(EvaluateRequest(new GateRequest(apply)).Gate(GateNames.Trigger));

        var evaluation = EvaluateRequest(new GateRequest(apply, Runner(eventName)));

        var trigger = evaluation.Gate(GateNames.Trigger)!;
        Assert.Equal(!blocks, trigger.Passed);
        Assert.Equal($"{eventName}:42", trigger.Observed);
        Assert.Equal(blocks ? [GateNames.Trigger] : [], evaluation.BlockedBy);
    }

    [Fact]
    public void A_dry_run_from_an_untrusted_event_passes_and_says_what_an_apply_would_meet()
    {
        var trigger = EvaluateRequest(new GateRequest(false, Runner("pull_request"))).Gate(GateNames.Trigger)!;

        Assert.True(trigger.Passed);
        Assert.Contains("the 'pull_request' event may not apply", trigger.Detail, StringComparison.Ordinal);
        Assert.Contains("a dry run may run", trigger.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_trigger_gate_refuses_a_re_run_that_already_applied()
    {
        var log = new[] { new AuditRecord { Timestamp = Now.AddDays(-20), Event = AuditEvents.ResponseStarted, Mode = "apply", ResponseId = Guid.NewGuid(), Trigger = "workflow_dispatch:42" }, new AuditRecord { Timestamp = Now.AddDays(-20), Event = AuditEvents.ResponseFinished, Mode = "apply" } };
        var finished = log.Select(r => r.Event == AuditEvents.ResponseFinished ? r with { ResponseId = log[0].ResponseId } : r).ToArray();

        var evaluation = EvaluateRequest(new GateRequest(true, Runner("workflow_dispatch")), finished);

        Assert.Equal([GateNames.Trigger], evaluation.BlockedBy);
        Assert.Contains("has already applied a response", evaluation.Gate(GateNames.Trigger)!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plan_digest_gate_holds_the_plan_to_the_approved_digest_computed_from_the_covered_gates()
    {
        IReadOnlyList<string>? covered = null;
        string DigestOf(GateInputs inputs, IReadOnlyList<GateResult> gates)
        {
            covered = gates.Select(g => g.Name).ToArray();
            return "sha256:current";
        }

        Assert.Null(EvaluateRequest(new GateRequest(false, PlanDigestOf: DigestOf)).Gate(GateNames.PlanDigest));
        Assert.True(EvaluateRequest(new GateRequest(false, ExpectedPlanDigest: " SHA256:CURRENT ", PlanDigestOf: DigestOf)).Passed);

        var evaluation = EvaluateRequest(new GateRequest(false, Runner("push"), "sha256:approved", DigestOf));

        Assert.Equal([GateNames.TrustGuard, GateNames.SafetyBrake, GateNames.RateLimit, GateNames.ManualUnlocks], covered);
        Assert.Equal("sha256:current", evaluation.PlanDigest);
        Assert.Equal([GateNames.PlanDigest], evaluation.BlockedBy);
        Assert.Equal("the plan changed since it was approved: approved sha256:approved, current sha256:current. Nothing was executed; review the new preview and approve its digest.", evaluation.Message);
    }

    [Fact]
    public void A_digest_with_no_plan_to_compare_fails_closed()
    {
        var evaluation = EvaluateRequest(new GateRequest(false, ExpectedPlanDigest: "sha256:approved"));

        Assert.Equal([GateNames.PlanDigest], evaluation.BlockedBy);
    }

    [Fact]
    public void The_reservation_rechecks_the_gates_that_count_other_runs_and_the_brake_and_trust_guard_operators_set_on_the_branch()
    {
        Assert.Equal([GateNames.TrustGuard, GateNames.SafetyBrake, GateNames.RateLimit, GateNames.Trigger], new GateEvaluator().SharedLogGates().Gates.Select(g => g.Name));
    }
}
