using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>The job summary's sections and the step outputs, written once at the end of a run.</summary>
internal static class ActionSummary
{
    public static void Gates(JobSummary summary, GateEvaluation gates, GateResult? trigger, string? runUrl)
    {
        summary.Table(
            ["Gate", "Result", "Observed", "Limit", "Detail"],
            gates.Gates.Select(g => (IReadOnlyList<string>)[g.Name, g.Passed ? "✅ pass" : "⛔ block", g.Observed, g.Limit, g.Detail]));
        summary.Paragraph($"**Trigger:** {JobSummary.Cell(trigger?.Detail ?? string.Empty)}" + (runUrl is { } url ? $" · [this run]({url})" : string.Empty));
    }

    public static void Response(JobSummary summary, RespondResult result)
    {
        var report = result.Report;
        summary.Paragraph($"**Mode:** {report.Mode.ToWire()} · **Response:** `{report.ResponseId:D}` · **Plan digest:** `{report.PlanDigest}`");
        if (report.Results.Count > 0)
        {
            summary.Table(
                ["Action", "Status", "Command", "Reversible"],
                report.Results.Select(a => (IReadOnlyList<string>)[a.Action, a.Status.ToWire(), $"`{string.Join(' ', a.Command)}`", a.Reversible ? "yes" : "no"]));
        }

        if (report.UndoFile is not null)
        {
            summary.Paragraph($"**Undo:** `policy-response undo {report.ResponseId:D} --apply` (record `{report.UndoFile}`)");
        }

        if (report.Message is not null)
        {
            summary.Paragraph(JobSummary.Cell(report.Message));
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

    /// <summary>Writes the outputs and the summary through the runner's file commands, when the runner gave them.</summary>
    /// <summary>The commit the run made: the commit-sha output and a line naming the files.</summary>
    public static void Committed(JobSummary summary, ActionOutputs outputs, SharedBranch.CommitOutcome outcome)
    {
        outputs.Set("commit-sha", outcome.CommitSha);
        summary.Paragraph($"**Committed:** `{outcome.CommitSha}` ({string.Join(", ", outcome.Paths.Select(p => $"`{p}`"))})");
    }

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
}
