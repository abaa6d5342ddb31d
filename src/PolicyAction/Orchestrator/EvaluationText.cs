using PolicyAction.Output;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.Orchestrator;

/// <summary>An evaluation for people: the level and why on top, then one row per signal (terminal and job summary alike).</summary>
internal static class EvaluationText
{
    public static readonly IReadOnlyList<string> Headers = ["signal", "value", "YELLOW when", "RED when", "state", "since"];

    public static string Heading(LevelDecision decision) =>
        $"Policy level: {decision.Level.ToName()}" + (decision.Previous is { } before && before != decision.Level ? $" (was {before.ToName()})" : decision.Previous is null ? " (first evaluation)" : " (unchanged)");

    public static IEnumerable<IReadOnlyList<string>> Rows(LevelDecision decision) =>
        decision.Signals.Select(s => (IReadOnlyList<string>)
        [
            s.Signal.DryRun ? $"{s.Signal.Id} (dry run)" : s.Signal.Id,
            s.Reading.Display,
            s.Signal.Yellow?.Text ?? "-",
            s.Signal.Red?.Text ?? "-",
            StateOf(s),
            Times.Format(s.Since),
        ]);

    /// <summary>The state and, where they differ from it, what it counts for and why (unknown's reason, a pending for).</summary>
    public static string StateOf(SignalOutcome outcome)
    {
        var text = outcome.State;
        if (outcome.State == SignalOutcome.Unknown)
        {
            // The reason is long (GitHub's answer, the permission): it follows the table, not in it.
            text += $" → {outcome.Asks.ToName()}";
        }

        if (outcome.Pending is { } pending)
        {
            text += $"; {pending}";
        }

        if (outcome.Signal.DryRun && outcome.Counts > PolicyLevel.Green)
        {
            text += "; not counted (dry run)";
        }

        return text;
    }

    public static string Terminal(EvaluationResult result, string stateFile)
    {
        var decision = result.Decision;
        var lines = new List<string>
        {
            Heading(decision),
            $"why: {decision.Why}",
            string.Empty,
            TextTable.Render(Headers, Rows(decision)).TrimEnd(),
            string.Empty,
        };
        lines.AddRange(Unknowns(decision).Select(u => $"{u.Id}: {u.Reason}"));
        lines.AddRange(
        [
            result.Recorded
                ? $"recorded: {stateFile} and the audit log"
                : $"preview: nothing recorded; --record writes {stateFile} and the audit log (the orchestration workflow does)",
        ]);
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    public static void Summary(JobSummary summary, EvaluationResult result, string stateFile)
    {
        var decision = result.Decision;
        summary.Heading(Heading(decision), 2)
            // The why and the reasons quote text the tool did not write (a command's stdout, GitHub's answer): code spans,
            // where GitHub renders no link, image or mention.
            .Paragraph($"**Why:** {InertMarkdown.Code(decision.Why)}")
            .Table(Headers, Rows(decision));
        var unknowns = Unknowns(decision).ToArray();
        if (unknowns.Length > 0)
        {
            summary.List(unknowns.Select(u => $"**{u.Id}** is unknown: {InertMarkdown.Code(u.Reason)}"));
        }

        summary.Paragraph(result.Recorded ? $"Recorded in `{stateFile}` and the audit log." : "Preview: nothing recorded.");
    }

    private static IEnumerable<(string Id, string Reason)> Unknowns(LevelDecision decision) =>
        decision.Signals.Where(s => s.State == SignalOutcome.Unknown).Select(s => (s.Signal.Id, s.Reading.UnknownReason ?? s.Condition ?? "unknown"));

    /// <summary>A signal's recent values from the history, oldest first, for tuning its thresholds.</summary>
    public static string Explain(SignalDefinition? signal, string id, IReadOnlyList<(AuditRecord Evaluation, SignalObservation Observation)> history)
    {
        var lines = new List<string>();
        if (signal is not null)
        {
            lines.Add($"{id}: {signal.Source.Kind} signal; YELLOW when {signal.Yellow?.Text ?? "-"}, RED when {signal.Red?.Text ?? "-"}; for {signal.For}" + (signal.DryRun ? "; dry run (never counted)" : string.Empty));
        }
        else
        {
            lines.Add($"{id}: no longer in the configuration; its recorded values:");
        }

        if (history.Count == 0)
        {
            lines.Add($"no evaluation recorded a value for {id} in the last {LevelEvaluation.ExplainWindow.TotalDays:0} days; run evaluate --record (the orchestration workflow does)");
            return string.Join(Environment.NewLine, lines) + Environment.NewLine;
        }

        var values = history.Where(h => h.Observation.Value is not null).Select(h => h.Observation.Value!.Value).ToArray();
        if (values.Length > 0)
        {
            lines.Add($"{history.Count} evaluation(s); values from {SignalReading.FormatNumber(values.Min())} to {SignalReading.FormatNumber(values.Max())}, median {SignalReading.FormatNumber(Median(values))}; "
                + $"RED {history.Count(h => h.Observation.State == "RED")}, YELLOW {history.Count(h => h.Observation.State == "YELLOW")}, unknown {history.Count(h => h.Observation.State == SignalOutcome.Unknown)} time(s)");
        }

        lines.Add(string.Empty);
        lines.Add(TextTable.Render(
            ["time", "value", "state", "counted", "level"],
            history.Select(h => (IReadOnlyList<string>)
            [
                Times.Format(h.Evaluation.Timestamp),
                h.Observation.Value is { } v ? SignalReading.FormatNumber(v) : "-",
                h.Observation.State,
                h.Observation.DryRun == true ? "no (dry run)" : h.Observation.Counts ?? h.Observation.State,
                h.Evaluation.Policy ?? "-",
            ])).TrimEnd());
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
