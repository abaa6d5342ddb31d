using Microsoft.Extensions.Time.Testing;
using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Alerts;

public class AlertEvaluatorTests
{
    private static readonly DateTimeOffset Now = CliHarness.Now;

    private static AlertReport Evaluate(IReadOnlyList<AuditRecord>? log = null, SafetyBrakeState? brake = null, IReadOnlyList<FixBranch>? branches = null, AlertSettings? settings = null) =>
        new AlertEvaluator(new FakeTimeProvider(Now), settings ?? AlertSettings.Default)
            .Evaluate(new AlertInputs(log ?? [], brake ?? SafetyBrakeState.Default, branches));

    private static AlertStatus Alert(AlertReport report, string id) => report.Alerts.Single(a => a.Id == id);

    private static AuditRecord Level(string level, string? previous, TimeSpan ago) =>
        new() { Timestamp = Now - ago, Event = AuditEvents.LevelChanged, Policy = level, PreviousPolicy = previous };

    private static AuditRecord[] Flips(int count, TimeSpan spacing) =>
        Enumerable.Range(0, count).SelectMany(i => new[]
        {
            Level("RED", "YELLOW", spacing * (count - i) + TimeSpan.FromMinutes(1)),
            Level("YELLOW", "RED", spacing * (count - i)),
        }).ToArray();

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void Red_flips_fire_above_two_in_24_hours(int flips, bool firing)
    {
        var alert = Alert(Evaluate(Flips(flips, TimeSpan.FromHours(3))), AlertIds.RedFlips);

        Assert.Equal(firing, alert.Firing);
        Assert.Equal("high", alert.Severity);
        Assert.StartsWith($"{flips} flip(s)", alert.Observed, StringComparison.Ordinal);
        Assert.Equal(flips, alert.Evidence.Count);
    }

    [Fact]
    public void Only_transitions_into_red_within_the_window_count()
    {
        AuditRecord[] log =
        [
            Level("RED", "GREEN", TimeSpan.FromHours(30)),
            Level("RED", null, TimeSpan.FromHours(10)),
            Level("RED", "RED", TimeSpan.FromHours(9)),
            Level("RED", "YELLOW", TimeSpan.FromHours(8)),
            Level("RED", "GREEN", TimeSpan.FromHours(7)),
            Level("RED", "YELLOW", TimeSpan.FromHours(24)),
        ];

        var alert = Alert(Evaluate(log), AlertIds.RedFlips);

        Assert.False(alert.Firing);
        Assert.StartsWith("2 flip(s)", alert.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void Red_flips_since_is_when_the_third_flip_happened()
    {
        var alert = Alert(Evaluate(Flips(4, TimeSpan.FromHours(2))), AlertIds.RedFlips);

        Assert.Equal(Now - TimeSpan.FromHours(4) - TimeSpan.FromMinutes(1), alert.Since);
    }

    [Theory]
    [InlineData(239, false)]
    [InlineData(240, false)]
    [InlineData(241, true)]
    public void The_brake_fires_when_engaged_for_more_than_four_hours(int minutes, bool firing)
    {
        var brake = new SafetyBrakeState { IsEngaged = true, EngagedAt = Now.AddMinutes(-minutes), EngagedBy = "alice", Reason = "drill" };

        var alert = Alert(Evaluate(brake: brake), AlertIds.BrakeEngaged);

        Assert.Equal(firing, alert.Firing);
        Assert.Equal("critical", alert.Severity);
        Assert.Equal("> 4h", alert.Threshold);
        Assert.Contains("alice", Assert.Single(alert.Evidence).What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_released_brake_does_not_fire_and_an_engagement_without_a_time_does()
    {
        Assert.False(Alert(Evaluate(), AlertIds.BrakeEngaged).Firing);
        Assert.True(Alert(Evaluate(brake: new SafetyBrakeState { IsEngaged = true }), AlertIds.BrakeEngaged).Firing);
    }

    private static AuditRecord Blocked(int minutesAgo) =>
        new() { Timestamp = Now.AddMinutes(-minutesAgo), Event = AuditEvents.ResponseBlocked, Policy = "RED", Mode = "dry-run", BlockedBy = ["trust_guard"] };

    private static AuditRecord Applied(int minutesAgo) =>
        new() { Timestamp = Now.AddMinutes(-minutesAgo), Event = AuditEvents.ResponseStarted, Mode = "apply" };

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Blocked_streak_fires_above_three_consecutive_blocks(int blocks, bool firing)
    {
        var log = Enumerable.Range(0, blocks).Select(i => Blocked(100 - i)).Prepend(Applied(200)).ToArray();

        var alert = Alert(Evaluate(log), AlertIds.BlockedStreak);

        Assert.Equal(firing, alert.Firing);
        Assert.Equal(blocks, alert.Evidence.Count);
    }

    [Fact]
    public void An_applied_response_ends_a_streak()
    {
        AuditRecord[] log = [Blocked(9), Blocked(8), Blocked(7), Blocked(6), Applied(5), Blocked(4)];

        var alert = Alert(Evaluate(log), AlertIds.BlockedStreak);

        Assert.False(alert.Firing);
        Assert.StartsWith("1 consecutive", alert.Observed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void A_block_counts_toward_the_streak_only_when_dated_within_the_31_days(int secondsPastTheWindow, bool counts)
    {
        var edge = new AuditRecord { Timestamp = Now - AlertEvaluator.LookBack - TimeSpan.FromSeconds(secondsPastTheWindow), Event = AuditEvents.ResponseBlocked, Policy = "RED", Mode = "dry-run", BlockedBy = ["trust_guard"] };
        AuditRecord[] log = [edge, Blocked(3), Blocked(2), Blocked(1)];

        var alert = Alert(Evaluate(log), AlertIds.BlockedStreak);

        Assert.Equal(counts, alert.Firing);
        Assert.Equal(counts ? 4 : 3, alert.Evidence.Count);
    }

    [Fact]
    public void The_blocked_streak_is_inhibited_while_the_brake_is_engaged()
    {
        AuditRecord[] log = [Blocked(9), Blocked(8), Blocked(7), Blocked(6)];

        var report = Evaluate(log, brake: new SafetyBrakeState { IsEngaged = true, EngagedAt = Now.AddHours(-1) });

        var alert = Alert(report, AlertIds.BlockedStreak);
        Assert.True(alert.Firing);
        Assert.True(alert.Inhibited);
        Assert.False(alert.Active);
        Assert.Equal(AlertIds.BrakeEngaged, alert.InhibitedBy);
    }

    [Fact]
    public void Fix_branches_without_github_are_not_evaluated_rather_than_zero()
    {
        var alert = Alert(Evaluate(branches: null), AlertIds.FixBranches);

        Assert.False(alert.Evaluated);
        Assert.False(alert.Firing);
        Assert.Contains("not evaluated", alert.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void Fix_branches_seen_in_the_last_day_fire()
    {
        var report = Evaluate(branches: [new FixBranch("fix/old", Now.AddDays(-2)), new FixBranch("fix/new", Now.AddHours(-1))]);

        var alert = Alert(report, AlertIds.FixBranches);
        Assert.True(alert.Firing);
        Assert.Equal("fix/new", Assert.Single(alert.Evidence).What);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void Action_failures_fire_after_three_failed_responses_in_a_row(int failures, bool firing)
    {
        var log = new List<AuditRecord> { new() { Timestamp = Now.AddHours(-10), Event = AuditEvents.ResponseFinished, Status = "succeeded" } };
        for (var i = 0; i < failures; i++)
        {
            var id = Guid.NewGuid();
            log.Add(new AuditRecord { Timestamp = Now.AddHours(-5 + i), Event = AuditEvents.ActionFinished, ResponseId = id, Action = "mirror", Status = "failed", Detail = "exited with code 1" });
            log.Add(new AuditRecord { Timestamp = Now.AddHours(-5 + i), Event = AuditEvents.ResponseFinished, ResponseId = id, Status = "failed", Policy = "RED" });
        }

        var alert = Alert(Evaluate(log), AlertIds.ActionFailures);

        Assert.Equal(firing, alert.Firing);
        Assert.All(alert.Evidence, e => Assert.Contains("mirror exited with code 1", e.What, StringComparison.Ordinal));
    }

    private static AuditRecord[] Response(int hoursAgo, string? actionStatus, bool finishes)
    {
        var id = Guid.NewGuid();
        var at = Now.AddHours(-hoursAgo);
        var records = new List<AuditRecord> { new() { Timestamp = at, Event = AuditEvents.ResponseStarted, ResponseId = id, Mode = "apply", Policy = "RED" } };
        if (actionStatus is not null)
        {
            records.Add(new AuditRecord { Timestamp = at, Event = AuditEvents.ActionFinished, ResponseId = id, Action = "mirror", Status = actionStatus, Detail = $"mirror {actionStatus}" });
        }

        if (finishes)
        {
            records.Add(new AuditRecord { Timestamp = at, Event = AuditEvents.ResponseFinished, ResponseId = id, Status = actionStatus == "succeeded" ? "succeeded" : "failed", Policy = "RED" });
        }

        return [.. records];
    }

    [Fact]
    public void An_interrupted_response_whose_action_failed_counts_toward_action_failures()
    {
        AuditRecord[] log = [.. Response(9, "succeeded", true), .. Response(8, "failed", true), .. Response(7, "timed_out", false), .. Response(6, "failed", true)];

        var alert = Alert(Evaluate(log), AlertIds.ActionFailures);

        Assert.True(alert.Firing);
        Assert.StartsWith("3 consecutive", alert.Observed, StringComparison.Ordinal);
        Assert.Contains("(interrupted): mirror mirror timed_out", alert.Evidence[1].What, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interrupted_response_with_no_failed_action_neither_counts_nor_ends_the_streak()
    {
        AuditRecord[] log = [.. Response(9, "failed", true), .. Response(8, "failed", true), .. Response(7, "succeeded", false), .. Response(6, null, false), .. Response(5, "failed", true)];

        var alert = Alert(Evaluate(log), AlertIds.ActionFailures);

        Assert.True(alert.Firing);
        Assert.Equal(3, alert.Evidence.Count);
    }

    [Fact]
    public void An_interrupted_response_ends_a_blocked_streak_and_the_blocks_it_causes_start_the_next()
    {
        AuditRecord[] log = [Blocked(600), Blocked(590), Blocked(580), Blocked(570), .. Response(9, "failed", false), Blocked(60), Blocked(50)];

        var alert = Alert(Evaluate(log), AlertIds.BlockedStreak);

        Assert.False(alert.Firing);
        Assert.StartsWith("2 consecutive", alert.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silence_keeps_the_alert_visible_but_inactive_until_it_expires()
    {
        var brake = new SafetyBrakeState { IsEngaged = true, EngagedAt = Now.AddHours(-5) };
        var silenced = AlertSettings.Default with { Silences = [new Silence(AlertIds.BrakeEngaged, Now.AddHours(1), "maintenance")] };
        var expired = AlertSettings.Default with { Silences = [new Silence(AlertIds.BrakeEngaged, Now.AddSeconds(-1), "maintenance")] };

        var alert = Alert(Evaluate(brake: brake, settings: silenced), AlertIds.BrakeEngaged);
        Assert.True(alert.Firing);
        Assert.True(alert.Silenced);
        Assert.False(alert.Active);
        Assert.Equal("maintenance", alert.SilenceReason);

        Assert.True(Alert(Evaluate(brake: brake, settings: expired), AlertIds.BrakeEngaged).Active);
    }

    [Theory]
    [InlineData("high", true)]
    [InlineData("critical", true)]
    [InlineData(null, false)]
    public void The_exit_code_follows_fail_on(string? failOn, bool fails)
    {
        var settings = AlertSettings.Default with { FailOn = failOn is null ? null : Enum.Parse<Severity>(failOn, ignoreCase: true) };
        var evaluator = new AlertEvaluator(new FakeTimeProvider(Now), settings);
        var report = evaluator.Evaluate(new AlertInputs([], new SafetyBrakeState { IsEngaged = true, EngagedAt = Now.AddHours(-5) }, null));

        Assert.Equal(fails, evaluator.ShouldFail(report));
    }

    [Fact]
    public void A_medium_alert_does_not_fail_the_default_high_threshold()
    {
        var evaluator = new AlertEvaluator(new FakeTimeProvider(Now), AlertSettings.Default);
        var report = evaluator.Evaluate(new AlertInputs([Blocked(4), Blocked(3), Blocked(2), Blocked(1)], SafetyBrakeState.Default, null));

        Assert.True(Alert(report, AlertIds.BlockedStreak).Active);
        Assert.False(evaluator.ShouldFail(report));
    }

    [Fact]
    public void Fingerprints_are_stable_and_distinct()
    {
        var fingerprints = AlertIds.All.Select(AlertStatus.FingerprintOf).ToArray();

        Assert.Equal(fingerprints, AlertIds.All.Select(AlertStatus.FingerprintOf));
        Assert.Equal(fingerprints.Length, fingerprints.Distinct().Count());
        Assert.All(fingerprints, f => Assert.Matches("^[0-9a-f]{16}$", f));
    }

    [Fact]
    public void Disabled_rules_are_left_out()
    {
        var settings = AlertSettings.Default with
        {
            Rules = AlertSettings.Default.Rules.ToDictionary(r => r.Key, r => r.Key == AlertIds.FixBranches ? r.Value with { Enabled = false } : r.Value),
        };

        Assert.DoesNotContain(Evaluate(settings: settings).Alerts, a => a.Id == AlertIds.FixBranches);
    }
}
