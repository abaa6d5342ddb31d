using PolicyAction.Orchestrator;
using PolicyAction.State;

namespace PolicyAction.Tests.Orchestrator;

public class LevelEvaluatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 4, 45, 0, TimeSpan.Zero);

    private static SignalDefinition Signal(string id, string? yellow = null, string? red = "> 3", Persistence? @for = null, bool dryRun = false, UnknownPolicy? onUnknown = null) =>
        new(id, null, new FileSource("x.json", FileMeasure.Number, "/n"), Parse(yellow), Parse(red), @for ?? Persistence.Immediately, dryRun, onUnknown);

    private static Condition? Parse(string? text) => text is null ? null : Condition.TryParse(text, out _) ?? throw new ArgumentException(text);

    /// <summary>Evaluations in a row, each feeding the next its level and memory, as state/policy_state.json does.</summary>
    private sealed class Timeline(EvaluationSettings settings)
    {
        private EvaluationMemory? _memory;

        public PolicyLevel? Level { get; private set; }

        public List<(DateTimeOffset At, PolicyLevel From, PolicyLevel To)> Changes { get; } = [];

        public LevelDecision Evaluate(DateTimeOffset at, params (SignalDefinition, SignalReading)[] readings)
        {
            var decision = LevelEvaluator.Decide(readings, settings, Level, _memory, at);
            if (Level is { } before && before != decision.Level)
            {
                Changes.Add((at, before, decision.Level));
            }

            (Level, _memory) = (decision.Level, decision.Memory);
            return decision;
        }

        public int FlipsIntoRed => Changes.Count(c => c.To == PolicyLevel.Red);

        public int MostFlipsIntoRedIn24Hours() =>
            Changes.Where(c => c.To == PolicyLevel.Red).Select(c => Changes.Count(o => o.To == PolicyLevel.Red && o.At >= c.At && o.At < c.At.AddHours(24))).DefaultIfEmpty(0).Max();
    }

    [Fact]
    public void A_signal_flipping_every_day_makes_one_flip_into_red_in_four_weeks_with_the_defaults()
    {
        var signal = Signal("failed_ci");
        var timeline = new Timeline(EvaluationSettings.Default);
        for (var day = 0; day < 28; day++)
        {
            timeline.Evaluate(Start.AddDays(day), (signal, SignalReading.Number(day % 2 == 1 ? 5 : 0)));
        }

        Assert.Equal(1, timeline.FlipsIntoRed);
        Assert.Equal(PolicyLevel.Red, timeline.Level);
    }

    [Fact]
    public void Random_oscillation_every_15_minutes_with_calm_for_24h_gives_at_most_one_flip_into_red_a_day()
    {
        var signal = Signal("error_rate", yellow: "> 1");
        var random = new Random(20);
        var timeline = new Timeline(EvaluationSettings.Default with { CalmFor = new Persistence(null, TimeSpan.FromHours(24)) });
        for (var i = 0; i < 4 * 24 * 21; i++)
        {
            // Mostly calm, with bursts: the kind of signal that flaps.
            var value = random.NextDouble() < 0.03 ? 5 : random.NextDouble() < 0.2 ? 2 : 0;
            timeline.Evaluate(Start.AddMinutes(15 * i), (signal, SignalReading.Number(value)));
        }

        Assert.True(timeline.FlipsIntoRed >= 2, $"the run should have let the level fall and rise again; flips: {timeline.FlipsIntoRed}");
        Assert.Equal(1, timeline.MostFlipsIntoRedIn24Hours());
    }

    [Fact]
    public void A_real_incident_raises_red_on_the_first_evaluation_after_a_calm_week()
    {
        var signal = Signal("failed_ci", yellow: ">= 1");
        var timeline = new Timeline(EvaluationSettings.Default);
        for (var day = 0; day < 7; day++)
        {
            Assert.Equal(PolicyLevel.Green, timeline.Evaluate(Start.AddDays(day), (signal, SignalReading.Number(0))).Level);
        }

        var incident = timeline.Evaluate(Start.AddDays(7), (signal, SignalReading.Number(9)));
        Assert.Equal(PolicyLevel.Red, incident.Level);
        Assert.True(incident.Changed);
        Assert.Equal("RED (was GREEN): failed_ci = 9 (red: > 3)", incident.Why);
        Assert.Equal(["failed_ci"], incident.Firing.Select(s => s.Signal.Id));
    }

    [Fact]
    public void The_level_falls_only_after_two_calm_evaluations_and_then_to_the_highest_level_they_saw()
    {
        var signal = Signal("failed_ci", yellow: ">= 1");
        var timeline = new Timeline(EvaluationSettings.Default);
        timeline.Evaluate(Start, (signal, SignalReading.Number(9)));

        var first = timeline.Evaluate(Start.AddDays(1), (signal, SignalReading.Number(2)));
        Assert.Equal(PolicyLevel.Red, first.Level);
        Assert.Equal(PolicyLevel.Yellow, first.Candidate);
        Assert.Contains("RED held", first.Why, StringComparison.Ordinal);
        Assert.Contains("1 of 2 evaluations", first.Why, StringComparison.Ordinal);

        var second = timeline.Evaluate(Start.AddDays(2), (signal, SignalReading.Number(0)));
        Assert.Equal(PolicyLevel.Yellow, second.Level);
        Assert.Null(second.Memory.Calm);

        Assert.Equal(PolicyLevel.Yellow, timeline.Evaluate(Start.AddDays(3), (signal, SignalReading.Number(0))).Level);
        Assert.Equal(PolicyLevel.Green, timeline.Evaluate(Start.AddDays(4), (signal, SignalReading.Number(0))).Level);
    }

    [Fact]
    public void A_rise_during_a_calm_streak_ends_the_streak()
    {
        var signal = Signal("failed_ci");
        var timeline = new Timeline(EvaluationSettings.Default);
        timeline.Evaluate(Start, (signal, SignalReading.Number(9)));
        timeline.Evaluate(Start.AddDays(1), (signal, SignalReading.Number(0)));
        timeline.Evaluate(Start.AddDays(2), (signal, SignalReading.Number(9)));
        Assert.Equal(PolicyLevel.Red, timeline.Evaluate(Start.AddDays(3), (signal, SignalReading.Number(0))).Level);
        Assert.Equal(PolicyLevel.Green, timeline.Evaluate(Start.AddDays(4), (signal, SignalReading.Number(0))).Level);
    }

    [Fact]
    public void For_a_number_of_evaluations_delays_counting_and_says_what_it_waits_for()
    {
        var signal = Signal("failed_ci", @for: new Persistence(2, null));
        var timeline = new Timeline(EvaluationSettings.Default);
        var first = timeline.Evaluate(Start, (signal, SignalReading.Number(9)));
        Assert.Equal(PolicyLevel.Green, first.Level);
        var outcome = Assert.Single(first.Signals);
        Assert.Equal(("RED", PolicyLevel.Red, PolicyLevel.Green), (outcome.State, outcome.Asks, outcome.Counts));
        Assert.Equal("counts as RED once it has held for 2 evaluations (1 so far)", outcome.Pending);

        Assert.Equal(PolicyLevel.Red, timeline.Evaluate(Start.AddHours(1), (signal, SignalReading.Number(9))).Level);
    }

    [Fact]
    public void For_a_duration_counts_once_the_condition_has_held_that_long()
    {
        var signal = Signal("failed_ci", @for: new Persistence(null, TimeSpan.FromHours(6)));
        var timeline = new Timeline(EvaluationSettings.Default);
        Assert.Equal(PolicyLevel.Green, timeline.Evaluate(Start, (signal, SignalReading.Number(9))).Level);
        Assert.Equal(PolicyLevel.Green, timeline.Evaluate(Start.AddHours(5), (signal, SignalReading.Number(9))).Level);
        Assert.Equal(PolicyLevel.Red, timeline.Evaluate(Start.AddHours(6), (signal, SignalReading.Number(9))).Level);
    }

    [Fact]
    public void A_break_in_the_condition_starts_for_again()
    {
        var signal = Signal("failed_ci", @for: new Persistence(2, null));
        var timeline = new Timeline(EvaluationSettings.Default);
        timeline.Evaluate(Start, (signal, SignalReading.Number(9)));
        timeline.Evaluate(Start.AddHours(1), (signal, SignalReading.Number(0)));
        Assert.Equal(PolicyLevel.Green, timeline.Evaluate(Start.AddHours(2), (signal, SignalReading.Number(9))).Level);
    }

    [Theory]
    [InlineData(null, "yellow", "YELLOW")]
    [InlineData(null, "red", "RED")]
    [InlineData(null, "ignore", "GREEN")]
    [InlineData("ignore", "red", "GREEN")]
    [InlineData("red", "ignore", "RED")]
    public void An_unknown_signal_asks_for_what_on_unknown_says_never_green_by_default(string? own, string global, string expected)
    {
        var signal = Signal("code_scanning", onUnknown: own is null ? null : Enum.Parse<UnknownPolicy>(own, ignoreCase: true));
        var settings = EvaluationSettings.Default with { OnUnknown = Enum.Parse<UnknownPolicy>(global, ignoreCase: true) };
        var decision = LevelEvaluator.Decide([(signal, SignalReading.Unknown("needs security-events: read"))], settings, null, null, Start);
        Assert.Equal(expected, decision.Level.ToName());
        var outcome = Assert.Single(decision.Signals);
        Assert.Equal(SignalOutcome.Unknown, outcome.State);
        Assert.Contains("needs security-events: read", outcome.Condition, StringComparison.Ordinal);
    }

    [Fact]
    public void A_comparison_with_no_value_is_unknown_not_green()
    {
        var signal = Signal("scan_report");
        var decision = LevelEvaluator.Decide([(signal, SignalReading.Absent("reports/scan.json does not exist"))], EvaluationSettings.Default, null, null, Start);
        Assert.Equal(PolicyLevel.Yellow, decision.Level);
        Assert.Contains("reports/scan.json does not exist", Assert.Single(decision.Signals).Condition, StringComparison.Ordinal);
    }

    [Fact]
    public void Exists_and_missing_judge_an_absent_value()
    {
        var signal = Signal("incident_file", yellow: "exists", red: null);
        Assert.Equal(PolicyLevel.Green, LevelEvaluator.Decide([(signal, SignalReading.Absent("no file"))], EvaluationSettings.Default, null, null, Start).Level);
        Assert.Equal(PolicyLevel.Yellow, LevelEvaluator.Decide([(signal, SignalReading.Number(1))], EvaluationSettings.Default, null, null, Start).Level);
    }

    [Theory]
    [InlineData("yellow")]
    [InlineData("ignore")]
    public void A_met_red_missing_condition_is_red_even_when_the_yellow_comparison_has_no_value(string onUnknown)
    {
        // red: missing is met by the absent file; the yellow comparison cannot be judged, but RED needs no more:
        // the signal must not fall back to on_unknown (YELLOW, or GREEN with ignore).
        var signal = Signal("heartbeat", yellow: "> 3", red: "missing");
        var settings = EvaluationSettings.Default with { OnUnknown = Enum.Parse<UnknownPolicy>(onUnknown, ignoreCase: true) };
        var decision = LevelEvaluator.Decide([(signal, SignalReading.Absent("reports/heartbeat.json does not exist"))], settings, null, null, Start);
        Assert.Equal(PolicyLevel.Red, decision.Level);
        Assert.Equal("RED", Assert.Single(decision.Signals).State);
    }

    [Fact]
    public void A_met_yellow_missing_condition_counts_at_least_yellow_when_the_red_comparison_has_no_value()
    {
        // yellow: missing is met; red "> 3" cannot be judged: unknown, but with on_unknown: ignore it must not say GREEN.
        var signal = Signal("heartbeat", yellow: "missing", red: "> 3");
        var settings = EvaluationSettings.Default with { OnUnknown = UnknownPolicy.Ignore };
        var decision = LevelEvaluator.Decide([(signal, SignalReading.Absent("reports/heartbeat.json does not exist"))], settings, null, null, Start);
        Assert.Equal(PolicyLevel.Yellow, decision.Level);
    }

    [Fact]
    public void A_dry_run_signal_is_shown_but_never_counted()
    {
        var tuning = Signal("new_threshold", dryRun: true);
        var counted = Signal("failed_ci", yellow: ">= 1");
        var decision = LevelEvaluator.Decide([(tuning, SignalReading.Number(9)), (counted, SignalReading.Number(1))], EvaluationSettings.Default, null, null, Start);
        Assert.Equal(PolicyLevel.Yellow, decision.Level);
        var shown = decision.Signals[0];
        Assert.Equal(("RED", PolicyLevel.Red), (shown.State, shown.Counts));
        Assert.False(shown.Firing);
        Assert.Equal(["failed_ci"], decision.Firing.Select(s => s.Signal.Id));
    }

    [Fact]
    public void No_signal_firing_is_green_and_says_so()
    {
        var decision = LevelEvaluator.Decide([(Signal("a"), SignalReading.Number(0))], EvaluationSettings.Default, PolicyLevel.Green, null, Start);
        Assert.Equal((PolicyLevel.Green, false, "GREEN: no signal fires"), (decision.Level, decision.Changed, decision.Why));
    }

    [Fact]
    public void Since_stays_while_the_state_holds_and_moves_when_it_changes()
    {
        var signal = Signal("failed_ci");
        var timeline = new Timeline(EvaluationSettings.Default);
        timeline.Evaluate(Start, (signal, SignalReading.Number(9)));
        Assert.Equal(Start, timeline.Evaluate(Start.AddDays(1), (signal, SignalReading.Number(7))).Signals[0].Since);
        Assert.Equal(Start.AddDays(2), timeline.Evaluate(Start.AddDays(2), (signal, SignalReading.Number(0))).Signals[0].Since);
    }
}
