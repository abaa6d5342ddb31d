using System.Text;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>What <c>respond</c> prints for people: mode, gates, the actions and where the files went.</summary>
internal static class ResponseText
{
    public static string Render(RespondResult result, WorkspacePaths paths)
    {
        var report = result.Report;
        var text = new StringBuilder();
        text.Append($"policy-response {report.Mode.ToWire()} — {report.Policy} — response {report.ResponseId:D}\n\n");
        text.Append(GateText.Table(result.Gates)).Append('\n');
        if (report.Results.Count > 0)
        {
            text.Append(report.Mode == ResponseMode.DryRun ? "Planned actions:\n" : "Actions:\n");
            foreach (var action in report.Results)
            {
                if (action.Status == ActionStatus.Planned && action.Stdout.Length > 0)
                {
                    text.Append($"  - {action.Action}: {action.Stdout}\n");
                }
                else
                {
                    var code = action.ExitCode is { } exit ? $", exit {exit}" : string.Empty;
                    text.Append($"  - {action.Action} [{action.Status.ToWire()}{code}]: {TextTable.Quote(action.Command)}\n");
                }

                if (action.Reversible)
                {
                    // An applied action that did not run has no undo instruction: there is nothing of it to undo.
                    var undo = action.UndoInstruction is { } instruction ? $"undo: {instruction}" : "did not run, nothing to undo";
                    text.Append($"    reversible: {string.Join(", ", action.Paths ?? [])}; {undo}\n");
                }
            }

            text.Append('\n');
        }

        text.Append($"plan digest: {report.PlanDigest}\n");
        if (report.Mode == ResponseMode.DryRun)
        {
            text.Append($"preview: {paths.Relative(paths.Preview)}\n");
        }

        if (result.Outcome == ResponseOutcome.Blocked)
        {
            text.Append($"blocked report: {paths.Relative(paths.BlockedReport)}\n");
        }

        if (report.UndoFile is not null)
        {
            text.Append($"undo record: {report.UndoFile} (policy-response undo {report.ResponseId:D})\n");
        }

        if (report.WhatIf is not null)
        {
            text.Append($"what-if: {report.WhatIf}\n");
        }

        if (report.Message is not null)
        {
            text.Append(result.Outcome == ResponseOutcome.Blocked ? "BLOCKED: " : string.Empty).Append(report.Message).Append('\n');
        }

        return text.ToString();
    }
}
