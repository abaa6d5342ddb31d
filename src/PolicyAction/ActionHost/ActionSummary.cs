using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>What lets a blocked response through, as far as this run's records tell (see <c>NextStep.Release</c>).</summary>
/// <param name="RateLimitSlotAt">When the rolling 24 h window frees a slot for an apply.</param>
/// <param name="Interrupted">The unfinished response that blocks applies.</param>
internal sealed record ReleaseHints(DateTimeOffset? RateLimitSlotAt, Guid? Interrupted)
{
    /// <summary>Whether the unfinished response's undo record is on the branch, where the control workflow's undo reads it.</summary>
    public bool InterruptedHasUndoRecord { get; init; }
}

/// <summary>
/// The job summary of a response run, outcome first: a heading that says what happened, one line of result, the next
/// step as a command to copy, the gates folded to the ones that block, a failed action's output; then the stages'
/// own sections (evaluation, alerts); then the full record (every gate, every action, ids, digest, checkpoint)
/// collapsed. Written once at the end of the run.
/// </summary>
internal static class ActionSummary
{
    /// <summary>Lines of an action's output shown when it failed; the whole output is in the job log.</summary>
    public const int OutputTailLines = 20;

    /// <summary>At most this many characters of those lines: one line can be the whole 64 KiB captured.</summary>
    public const int OutputTailChars = 4000;

    public const string RecordTitle = "Full record: gates, actions, trigger, response id, plan digest, audit log checkpoint";

    /// <summary>The lead of a response: heading, result, next step, the gates that block, failed actions' output.</summary>
    /// <param name="undoOnBranch">Whether the response's undo record was committed, so the control workflow can undo it.</param>
    /// <param name="problems">What failed after the response (the commit, the alert check), shown under the heading.</param>
    public static void Lead(JobSummary summary, RespondResult result, GateStageResult gateStage, ReleaseHints hints, bool undoOnBranch, IReadOnlyList<string> problems)
    {
        var report = result.Report;
        var level = report.Policy;
        var planned = report.ActionsPlanned;
        var blocking = Blocking(result);
        switch (result.Outcome)
        {
            case ResponseOutcome.DryRun:
                Heading(summary, problems, $"🔍 Dry run: {Actions(planned)} would run at {level}");
                summary.Paragraph(gateStage.ApplyRefusal is { } refusal
                    ? $"**Apply refused:** {InertMarkdown.Code(refusal)}; this run only previewed. Nothing was executed."
                    : "Nothing was executed. Every gate passes, so an apply now would run this plan.");
                PlannedActions(summary, report);
                NextStep.Apply(report.PlanDigest).Write(summary);
                break;
            case ResponseOutcome.Applied:
                Heading(summary, problems, $"✅ Applied {Actions(report.Results.Count)} at {level}");
                summary.Paragraph($"{(report.Results.Count == 1 ? "The action" : $"All {Actions(report.Results.Count)}")} succeeded. Response `{report.ResponseId:D}`.");
                Undo(report, failed: false, undoOnBranch).Write(summary);
                break;
            case ResponseOutcome.ActionFailed:
                Heading(summary, problems, $"❌ {report.ActionsFailed} of {Actions(planned)} failed at {level}");
                summary.Paragraph(FailedLine(report) + $" Response `{report.ResponseId:D}`.");
                Undo(report, failed: true, undoOnBranch).Write(summary);
                break;
            case ResponseOutcome.Blocked:
                Heading(summary, problems, $"⛔ Blocked by {string.Join(", ", blocking.Select(b => b.Name))}: nothing executed");
                summary.Paragraph(BlockedLine(result, blocking));
                Gates(summary, result.Gates, blocking);
                foreach (var gate in blocking.DistinctBy(b => b.Name))
                {
                    NextStep.Release(gate, hints).Write(summary);
                }

                // The rows that block are the result here; there is no action output.
                return;
            default:
                Heading(summary, problems, $"➖ Nothing to do at {level}");
                summary.Paragraph(JobSummary.Cell(Sentence(report.Message ?? "nothing was executed")));
                break;
        }

        Gates(summary, result.Gates, blocking);
        FailedOutput(summary, report);
    }

    /// <summary>The outcome's heading, then anything that went wrong after the response, before the result and the next step.</summary>
    private static void Heading(JobSummary summary, IReadOnlyList<string> problems, string heading)
    {
        summary.Heading(heading);
        foreach (var problem in problems)
        {
            summary.Paragraph("⚠️ " + problem);
        }
    }

    /// <summary>The lead of <c>command: gates</c>: whether a response could run now, and what releases a block.</summary>
    public static void GatesLead(JobSummary summary, string level, GateEvaluation gates, ReleaseHints hints)
    {
        var blocking = gates.Gates.Where(g => !g.Passed).ToArray();
        summary.Heading(blocking.Length == 0
            ? $"✅ Gates pass at {level}: a response may run"
            : $"⛔ Blocked by {string.Join(", ", blocking.Select(g => g.Name))} at {level}");
        Gates(summary, gates, blocking);
        foreach (var gate in blocking)
        {
            NextStep.Release(gate, hints).Write(summary);
        }
    }

    /// <summary>The full record of a response run: every gate, the trigger, every action, the ids and the digest.</summary>
    public static void Record(JobSummary record, GateEvaluation gates, string? runUrl, RespondResult? result)
    {
        if (result is not null)
        {
            var report = result.Report;
            record.Paragraph(
                $"**Response:** `{report.ResponseId:D}` · **Level:** {report.Policy} · **Mode:** {report.Mode.ToWire()} · **Plan digest:** `{report.PlanDigest}`"
                + (runUrl is { } run ? $" · [this run]({run})" : string.Empty));
        }

        record.Paragraph($"**Trigger:** {InertMarkdown.Code(gates.Gate(GateNames.Trigger)?.Detail ?? string.Empty)}");
        if (result is { Outcome: ResponseOutcome.Blocked } && gates.Passed)
        {
            // The table is this run's checkout, where every gate passed; the branch said otherwise.
            record.Paragraph($"**Refused at the reservation on the branch:** {InertMarkdown.Code(result.Report.Message ?? string.Join(", ", result.Report.BlockedBy))}");
        }

        record.MarkdownTable(
            ["Gate", "Result", "Observed", "Limit", "Detail"],
            gates.Gates.Select(g => (IReadOnlyList<string>)[g.Name, g.Passed ? "✅ pass" : "⛔ block", .. Verdict(g)]));
        if (result is null)
        {
            return;
        }

        if (result.Report.Results.Count > 0)
        {
            record.MarkdownTable(
                ["Action", "Status", "Exit code", "Command", "Reversible"],
                result.Report.Results.Select(a => (IReadOnlyList<string>)[JobSummary.Cell(a.Action), a.Status.ToWire(), a.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, CommandCell(a), a.Reversible ? "yes" : "no"]));
        }

        if (result.Report.UndoFile is not null)
        {
            record.Paragraph($"**Undo record:** `{result.Report.UndoFile}` (from a shell: `policy-response undo {result.Report.ResponseId:D} --apply`)");
        }

    }

    /// <summary>The audit log's head, printed every run so a later truncation or rewrite shows against it.</summary>
    /// <param name="segment">The audit log segment that holds the head.</param>
    public static string? Checkpoint(JobSummary summary, ChainHead head, bool committed, string segment)
    {
        if (head.Seq == 0)
        {
            return null;
        }

        var where = $"{(committed ? "as committed" : "in the workspace")}, in {segment}";
        summary.Paragraph($"**Audit log checkpoint** ({where}): `{head}` · check it later with `policy-response verify-log --checkpoint {head}`");
        return $"audit log checkpoint ({where}): {head}";
    }

    /// <summary>The commit the run made: the commit-sha output and a line naming the files.</summary>
    public static void Committed(JobSummary summary, ActionOutputs outputs, SharedBranch.CommitOutcome outcome)
    {
        outputs.Set("commit-sha", outcome.CommitSha);
        summary.Paragraph($"**Committed:** `{outcome.CommitSha}` ({string.Join(", ", outcome.Paths.Select(p => $"`{p}`"))})");
    }

    /// <summary>The lead, the stages' sections, then the full record collapsed, as one summary.</summary>
    public static JobSummary Compose(JobSummary lead, JobSummary sections, JobSummary record) =>
        lead.Append(sections).Details(RecordTitle, record);

    /// <summary>Writes the outputs and the summary through the runner's file commands, when the runner gave them.</summary>
    public static void Finish(RunContext run, ActionOutputs outputs, JobSummary summary)
    {
        if (run.Variable("GITHUB_OUTPUT") is { Length: > 0 } outputFile)
        {
            foreach (var (name, value) in outputs.Values)
            {
                FileCommands.AppendKeyValue(outputFile, name, value);
            }
        }

        if (run.Variable("GITHUB_STEP_SUMMARY") is { Length: > 0 } summaryFile)
        {
            FileCommands.Append(summaryFile, summary.Render());
        }
    }

    /// <summary>
    /// The gates that stopped the response: those that failed on this run's checkout, and those the branch
    /// reservation refused with (its detail is the reservation's message: they passed on the checkout).
    /// </summary>
    private static GateResult[] Blocking(RespondResult result)
    {
        if (result.Outcome != ResponseOutcome.Blocked)
        {
            // Nothing was blocked (nothing was to run), but a gate that would block an apply is still shown, not folded.
            return result.Gates.Gates.Where(g => !g.Passed).ToArray();
        }

        var local = result.Gates.Gates.Where(g => !g.Passed).ToArray();
        var onBranch = result.Report.BlockedBy
            .Where(name => local.All(g => g.Name != name))
            .Select(name => new GateResult(name, false, "at the reservation", string.Empty, result.Report.Message ?? "refused on the branch"));
        return [.. local, .. onBranch];
    }

    /// <summary>What was blocked, and where: on this run's checkout, or at the reservation on the branch (the rows say why).</summary>
    private static string BlockedLine(RespondResult result, GateResult[] blocking)
    {
        var report = result.Report;
        var what = $"The {report.Policy} {(report.Mode == ResponseMode.Apply ? "apply" : "dry run")} of {Actions(report.ActionsPlanned)}";
        return blocking.Any(g => result.Gates.Gate(g.Name) is { Passed: false })
            ? $"{what} was blocked before anything ran:"
            : $"{what} passed the gates on this run's checkout, then the reservation on the branch refused it before anything ran:";
    }

    /// <summary>Passing gates fold into one line; the ones that block show their rows.</summary>
    private static void Gates(JobSummary summary, GateEvaluation gates, GateResult[] blocking)
    {
        var passed = gates.Gates.Count(g => g.Passed && blocking.All(b => b.Name != g.Name));
        if (blocking.Length == 0)
        {
            summary.Paragraph($"✅ {Count(passed, "gate")} passed.");
            return;
        }

        summary.MarkdownTable(["Gate", "Observed", "Limit", "Detail"], blocking.Select(g => (IReadOnlyList<string>)[$"⛔ {g.Name}", .. Verdict(g)]));
        summary.Paragraph($"✅ {Count(passed, "other gate")} passed.");
    }

    /// <summary>
    /// What a gate saw, as inert code spans: its details quote what people typed (a brake's or lock's reason, who
    /// engaged it, a dispatch input), which must show as typed and render no link, image or mention.
    /// </summary>
    private static string[] Verdict(GateResult gate) => [InertMarkdown.Cell(gate.Observed), InertMarkdown.Cell(gate.Limit), InertMarkdown.Cell(gate.Detail)];

    /// <summary>A command line as the reviewer must see it: verbatim, nothing in it rendered or escaped into entities.</summary>
    private static string CommandCell(ActionReport action) => InertMarkdown.Cell(TextTable.Quote(action.Command));

    private static void PlannedActions(JobSummary summary, ResponseReport report) =>
        summary.MarkdownTable(
            ["Action", "Would run", "Reversible"],
            report.Results.Select(a => (IReadOnlyList<string>)[JobSummary.Cell(a.Action + (a.Description is { } d ? $": {d}" : string.Empty)), CommandCell(a), JobSummary.Cell(a.Reversible ? $"yes: {string.Join(", ", a.Paths ?? [])}" : "no")]));

    private static NextStep Undo(ResponseReport report, bool failed, bool undoOnBranch)
    {
        var restores = report.Results
            .Where(a => a.Reversible && a.UndoInstruction is not null && a.Status != ActionStatus.Skipped)
            .SelectMany(a => a.Paths ?? [])
            .ToArray();
        return report.UndoFile is null || restores.Length == 0 ? NextStep.NothingToUndo(failed)
            : undoOnBranch ? NextStep.Undo(report.ResponseId, restores)
            : NextStep.UndoNotCommitted(report.UndoFile, restores);
    }

    /// <summary>Which action failed and how, what ran before it and what was skipped after it.</summary>
    private static string FailedLine(ResponseReport report)
    {
        var failures = report.Results.Where(Failed).Select(a => $"`{a.Action}` {How(a)}");
        var succeeded = report.Results.Count(a => a.Status == ActionStatus.Succeeded);
        var skipped = report.Results.Count(a => a.Status == ActionStatus.Skipped);
        return $"{string.Join("; ", failures)}. {Count(succeeded, "action")} succeeded"
            + (skipped > 0 ? $"; {skipped} skipped after the failure." : ".");
    }

    /// <summary>Each failed action's exit code and the tail of its output, collapsed.</summary>
    private static void FailedOutput(JobSummary summary, ResponseReport report)
    {
        foreach (var action in report.Results.Where(Failed))
        {
            var body = new JobSummary();
            body.Paragraph($"{InertMarkdown.Code(TextTable.Quote(action.Command))} {How(action)}.");
            foreach (var (stream, text) in new[] { ("stderr", action.Stderr), ("stdout", action.Stdout) })
            {
                if (Tail(text) is { } tail)
                {
                    body.Paragraph($"**{stream}** (last {OutputTailLines} lines at most):").Code(tail);
                }
            }

            summary.Details($"❌ {action.Action}: {How(action)}", body);
        }
    }

    private static bool Failed(ActionReport action) => action.Status is ActionStatus.Failed or ActionStatus.TimedOut;

    private static string How(ActionReport action) => action switch
    {
        { Status: ActionStatus.TimedOut } => "timed out",
        { ExitCode: { } code } => $"failed with exit code {code}",
        _ => "failed before it ran",
    };

    private static string? Tail(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var lines = text.TrimEnd('\n', '\r').Split('\n');
        var tail = string.Join('\n', lines.TakeLast(OutputTailLines)).Replace("\r", string.Empty, StringComparison.Ordinal);
        return tail.Length <= OutputTailChars ? tail : "…" + tail[^OutputTailChars..];
    }

    private static string Actions(int count) => Count(count, "action");

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";

    private static string Sentence(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + (text.EndsWith('.') ? string.Empty : ".");
}
