using System.Text;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>What <c>respond</c> prints for people: mode, gates, the actions and where the files went.</summary>
internal static class ResponseText
{
    public static string Render(RespondResult result, WorkspacePaths paths) =>
        Header(result.Report, result.Gates) + Results(result, paths);

    /// <summary>The response's heading and the gates it passed: printed before an apply runs anything, so the actions' output follows it.</summary>
    public static string Header(ResponseReport report, GateEvaluation gates) =>
        $"policy-response {report.Mode.ToWire()} — {report.Policy} — response {report.ResponseId:D}\n\n{GateText.Table(gates)}\n";

    /// <summary>Each action's result, the files written and the message; what follows the header once the response is decided.</summary>
    public static string Results(RespondResult result, WorkspacePaths paths)
    {
        var report = result.Report;
        var text = new StringBuilder();
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
                    text.Append($"    reversible: {string.Join(", ", action.Paths ?? [])}; {UndoHint(action, report.Mode)}\n");
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

    /// <summary>
    /// How to undo a reversible action, only for one that ran: a planned action has no record to undo yet (an apply
    /// saves its files first), and an applied one that did not run has nothing of it to undo.
    /// </summary>
    private static string UndoHint(ActionReport action, ResponseMode mode) => action switch
    {
        { Status: ActionStatus.Planned } when mode == ResponseMode.DryRun => "an apply saves these first, so it can be undone",
        { Status: ActionStatus.Succeeded or ActionStatus.Failed or ActionStatus.TimedOut, UndoInstruction: { } instruction } => $"undo: {instruction}",
        _ => "did not run, nothing to undo",
    };
}
