using PolicyAction.State;

namespace PolicyAction.Orchestrator;

/// <summary>One signal as an evaluation found it.</summary>
/// <param name="State">What the value asks for now: GREEN, YELLOW, RED, or unknown.</param>
/// <param name="Asks">The level it asks for (unknown: as <c>on_unknown</c> says).</param>
/// <param name="Counts">The level it counts for once <c>for</c> has held (what a dry-run signal would count for).</param>
/// <param name="Condition">The condition met ("red: &gt; 3"), or why the value is unknown; null when none is met.</param>
/// <param name="Since">Since when the signal has been in <paramref name="State"/>.</param>
/// <param name="Pending">Asks for more than it counts for, until <c>for</c> has held: what it waits for.</param>
internal sealed record SignalOutcome(
    SignalDefinition Signal,
    SignalReading Reading,
    string State,
    PolicyLevel Asks,
    PolicyLevel Counts,
    string? Condition,
    DateTimeOffset Since,
    string? Pending)
{
    public const string Unknown = "unknown";

    /// <summary>Counted toward the level and asking for more than GREEN.</summary>
    public bool Firing => !Signal.DryRun && Counts > PolicyLevel.Green;
}

/// <summary>An evaluation's result: the level, the one before it, why, each signal, and the memory for the next evaluation.</summary>
/// <param name="Candidate">The highest level the counted signals ask for, before hysteresis.</param>
internal sealed record LevelDecision(
    PolicyLevel Level,
    PolicyLevel? Previous,
    PolicyLevel Candidate,
    IReadOnlyList<SignalOutcome> Signals,
    string Why,
    EvaluationMemory Memory)
{
    public bool Changed => Previous != Level;

    public IEnumerable<SignalOutcome> Firing => Signals.Where(s => s.Firing);
}

/// <summary>
/// Turns signal readings into the level, without I/O: each signal's state, its <c>for</c> streak, the highest level
/// the counted signals ask for, then hysteresis: a level rises at once and falls only after the calmer level has
/// held for <c>calm_for</c>, so one oscillating signal cannot make the level flap.
/// </summary>
internal static class LevelEvaluator
{
    public static LevelDecision Decide(
        IReadOnlyList<(SignalDefinition Signal, SignalReading Reading)> readings,
        EvaluationSettings settings,
        PolicyLevel? previous,
        EvaluationMemory? memory,
        DateTimeOffset now)
    {
        var outcomes = new List<SignalOutcome>();
        var memories = new Dictionary<string, SignalMemory>(StringComparer.Ordinal);
        foreach (var (signal, reading) in readings)
        {
            var before = memory?.Signals.GetValueOrDefault(signal.Id);
            var (outcome, remembered) = Judge(signal, reading, settings, before, now);
            outcomes.Add(outcome);
            memories[signal.Id] = remembered;
        }

        var candidate = outcomes.Where(o => !o.Signal.DryRun).Select(o => o.Counts).DefaultIfEmpty(PolicyLevel.Green).Max();
        var (level, calm) = Hysteresis(candidate, previous, memory?.Calm, settings.CalmFor, now);
        var why = Why(level, previous, candidate, calm, outcomes, settings.CalmFor);
        return new LevelDecision(level, previous, candidate, outcomes, why, new EvaluationMemory { Signals = memories, Calm = calm });
    }

    private static (SignalOutcome Outcome, SignalMemory Memory) Judge(SignalDefinition signal, SignalReading reading, EvaluationSettings settings, SignalMemory? before, DateTimeOffset now)
    {
        var red = signal.Red?.IsMetBy(reading);
        var yellow = signal.Yellow?.IsMetBy(reading);
        string state;
        PolicyLevel asks;
        string? condition;
        if (!reading.IsUnknown && red == true)
        {
            // A met red condition (red: missing on an absent file) needs nothing more: the yellow comparison that
            // cannot be judged does not make it unknown.
            (state, asks, condition) = ("RED", PolicyLevel.Red, $"red: {signal.Red}");
        }
        else if (reading.IsUnknown || (signal.Red is not null && red is null) || (signal.Yellow is not null && yellow is null))
        {
            // A comparison with no value to compare (an absent file, a missing field) cannot say GREEN: it is unknown.
            // A met yellow condition still counts: unknown never asks for less than what was judged.
            state = SignalOutcome.Unknown;
            var policy = signal.OnUnknown ?? settings.OnUnknown;
            asks = policy switch
            {
                UnknownPolicy.Red => PolicyLevel.Red,
                UnknownPolicy.Yellow => PolicyLevel.Yellow,
                _ => yellow == true ? PolicyLevel.Yellow : PolicyLevel.Green,
            };
            var reason = reading.UnknownReason ?? $"no value to compare ({reading.Detail ?? "absent"})";
            condition = $"unknown: {reason}; on_unknown: {policy.ToString().ToLowerInvariant()}" + (yellow == true ? $"; yellow: {signal.Yellow} is met" : string.Empty);
        }
        else if (yellow == true)
        {
            (state, asks, condition) = ("YELLOW", PolicyLevel.Yellow, $"yellow: {signal.Yellow}");
        }
        else
        {
            (state, asks, condition) = ("GREEN", PolicyLevel.Green, null);
        }

        var since = before is not null && before.State == state ? before.Since : now;
        var yellowCount = asks >= PolicyLevel.Yellow ? (before?.YellowCount ?? 0) + 1 : 0;
        var yellowSince = asks >= PolicyLevel.Yellow ? before?.YellowSince ?? now : (DateTimeOffset?)null;
        var redCount = asks == PolicyLevel.Red ? (before?.RedCount ?? 0) + 1 : 0;
        var redSince = asks == PolicyLevel.Red ? before?.RedSince ?? now : (DateTimeOffset?)null;

        var counts = redCount > 0 && signal.For.IsMet(redCount, redSince!.Value, now) ? PolicyLevel.Red
            : yellowCount > 0 && signal.For.IsMet(yellowCount, yellowSince!.Value, now) ? PolicyLevel.Yellow
            : PolicyLevel.Green;
        string? pending = null;
        if (asks > counts)
        {
            var (count, from) = asks == PolicyLevel.Red ? (redCount, redSince!.Value) : (yellowCount, yellowSince!.Value);
            pending = signal.For.Duration is { } duration
                ? $"counts as {asks.ToName()} once it has held for {Output.Durations.Format(duration)} (since {from:yyyy-MM-dd HH:mm}Z)"
                : $"counts as {asks.ToName()} once it has held for {signal.For} ({count} so far)";
        }

        var outcome = new SignalOutcome(signal, reading, state, asks, counts, condition, since, pending);
        var remembered = new SignalMemory { State = state, Since = since, YellowCount = yellowCount, YellowSince = yellowSince, RedCount = redCount, RedSince = redSince };
        return (outcome, remembered);
    }

    /// <summary>Rises at once; falls to the highest level the calmer streak saw, only once it has held for calm_for.</summary>
    private static (PolicyLevel Level, CalmStreak? Calm) Hysteresis(PolicyLevel candidate, PolicyLevel? previous, CalmStreak? calm, Persistence calmFor, DateTimeOffset now)
    {
        if (previous is not { } current || candidate >= current)
        {
            return (candidate, null);
        }

        var streak = calm is not null && PolicyLevels.TryParse(calm.Level, out var calmLevel) && calmLevel < current
            ? calm with { Evaluations = calm.Evaluations + 1, Level = Max(calmLevel, candidate).ToName() }
            : new CalmStreak { Level = candidate.ToName(), Since = now, Evaluations = 1 };
        return calmFor.IsMet(streak.Evaluations, streak.Since, now) && PolicyLevels.TryParse(streak.Level, out var settled) ? (settled, null) : (current, streak);
    }

    private static PolicyLevel Max(PolicyLevel a, PolicyLevel b) => a > b ? a : b;

    private static string Why(PolicyLevel level, PolicyLevel? previous, PolicyLevel candidate, CalmStreak? calm, IReadOnlyList<SignalOutcome> outcomes, Persistence calmFor)
    {
        var driving = outcomes.Where(o => !o.Signal.DryRun && o.Counts == candidate && candidate > PolicyLevel.Green).Select(Describe).ToArray();
        var asking = driving.Length == 0 ? "no signal fires" : string.Join("; ", driving);
        if (calm is not null)
        {
            var held = calmFor.Duration is { } duration
                ? $"since {calm.Since:yyyy-MM-dd HH:mm}Z, {Output.Durations.Format(duration)} needed"
                : $"{calm.Evaluations} of {calmFor.Evaluations} evaluations";
            return $"{level.ToName()} held: the signals ask for {candidate.ToName()} ({asking}); the level falls once {calm.Level} or calmer has held for {calmFor} ({held})";
        }

        var change = previous is { } before && before != level ? $" (was {before.ToName()})" : string.Empty;
        var fell = previous is { } higher && level < higher ? $"; it fell once {level.ToName()} or calmer had held for {calmFor}" : string.Empty;
        return $"{level.ToName()}{change}: {asking}{fell}";
    }

    private static string Describe(SignalOutcome outcome) =>
        outcome.State == SignalOutcome.Unknown
            ? $"{outcome.Signal.Id} is {outcome.Condition}"
            : $"{outcome.Signal.Id} = {outcome.Reading.Display} ({outcome.Condition})";
}
