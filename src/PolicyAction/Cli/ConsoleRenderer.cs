using System.Text;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.State;

namespace PolicyAction.Cli;

/// <summary>The text the commands print for people.</summary>
internal static class ConsoleRenderer
{
    public static string Gates(GateEvaluation evaluation) =>
        TextTable.Render(
            ["GATE", "RESULT", "OBSERVED", "LIMIT", "DETAIL"],
            evaluation.Gates.Select(g => (IReadOnlyList<string>)[g.Name, g.Passed ? "pass" : "BLOCK", g.Observed, g.Limit, g.Detail]));

    public static string Response(RespondResult result, WorkspacePaths paths)
    {
        var report = result.Report;
        var text = new StringBuilder();
        text.Append($"policy-response {report.Mode} — {report.Policy} — response {report.ResponseId:D}\n\n");
        text.Append(Gates(result.Gates)).Append('\n');
        if (report.Results.Count > 0)
        {
            text.Append(report.Mode == ResponseModes.DryRun ? "Planned actions:\n" : "Actions:\n");
            foreach (var action in report.Results)
            {
                if (action.Status == ActionStatuses.Planned && action.Stdout.Length > 0)
                {
                    text.Append($"  - {action.Action}: {action.Stdout}\n");
                }
                else
                {
                    var code = action.ExitCode is { } exit ? $", exit {exit}" : string.Empty;
                    text.Append($"  - {action.Action} [{action.Status}{code}]: {TextTable.Quote(action.Command)}\n");
                }

                if (action.Reversible)
                {
                    text.Append($"    reversible: {string.Join(", ", action.Paths ?? [])}; undo: {action.UndoInstruction}\n");
                }
            }

            text.Append('\n');
        }

        text.Append($"plan digest: {report.PlanDigest}\n");
        if (report.Mode == ResponseModes.DryRun)
        {
            text.Append($"preview: {paths.Relative(paths.Preview)}\n");
        }

        if (result.ExitCode == ExitCodes.Blocked)
        {
            text.Append($"blocked report: {paths.Relative(paths.BlockedReport)}\n");
        }

        if (report.UndoFile is not null)
        {
            text.Append($"undo record: {report.UndoFile} (policy-response undo {report.ResponseId:D})\n");
        }

        if (report.Message is not null)
        {
            text.Append(result.ExitCode == ExitCodes.Blocked ? "BLOCKED: " : string.Empty).Append(report.Message).Append('\n');
        }

        return text.ToString();
    }

    public static string Status(StatusReport status, StateStore store)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "policy level", status.PolicyLevel is null ? "unknown (no state/policy_state.json)" : $"{status.PolicyLevel}{(status.PolicyUpdatedAt is { } at ? $" (updated {Times.Format(at)})" : string.Empty)}" },
            new[] { "trust guard", status.TrustLocked ? $"LOCKED (lock id {status.TrustLockId})" : "unlocked" },
            new[] { "safety brake", status.BrakeEngaged ? "ENGAGED" : "off" },
            new[] { "responses, last 24 h", status.ResponsesLast24h.ToString() },
            new[] { "manual unlocks, last 24 h", status.ManualUnlocksLast24h.ToString() },
            new[] { "last response", status.LastResponseId is null ? "none in the last 31 days" : $"{status.LastResponseId:D} at {Times.Format(status.LastResponseAt)}: {status.LastResponseStatus}" },
            new[] { "workspace", store.Paths.Root },
        };
        return TextTable.Render(null, rows);
    }

    public static string Verification(LogVerification verification, string log)
    {
        var text = new StringBuilder();
        foreach (var warning in verification.Warnings)
        {
            text.Append($"warning: {log}: {warning}\n");
        }

        if (verification.Intact)
        {
            text.Append(verification.Records == 0
                ? $"{log}: no records yet; nothing to verify\n"
                : $"{log}: chain intact, {verification.Records} record(s)\ncheckpoint: {verification.Head}\n");
        }
        else
        {
            text.Append($"{log}: chain BROKEN{(verification.BadLine is { } line ? $" at line {line}" : string.Empty)}\n");
            text.Append($"  {verification.Problem}\n");
            text.Append(verification.Records == 0
                ? "  no record before it verifies\n"
                : $"  records up to {verification.Head.Seq} verify (checkpoint {verification.Head})\n");
        }

        return text.ToString();
    }

    public static string Alerts(Alerts.AlertCheck check)
    {
        var text = new StringBuilder();
        text.Append(TextTable.Render(
            ["ALERT", "SEVERITY", "STATE", "OBSERVED", "THRESHOLD", "SINCE"],
            check.Report.Alerts.Select(a => (IReadOnlyList<string>)[a.Id, a.Severity, State(a), a.Observed, a.Threshold, a.Since is null ? "" : Times.Format(a.Since)])));
        foreach (var change in check.Changes)
        {
            text.Append($"{change.Alert} {change.Event}{(change.Detail is null ? string.Empty : $" ({change.Detail})")}\n");
        }

        var active = check.Report.Alerts.Count(a => a.Active);
        text.Append(active == 0 ? "no alert is firing\n" : $"{active} alert(s) firing\n");
        return text.ToString();

        static string State(Alerts.AlertStatus alert) =>
            !alert.Evaluated ? "not evaluated"
            : !alert.Firing ? "ok"
            : alert.Silenced ? "FIRING (silenced)"
            : alert.Inhibited ? $"FIRING (inhibited by {alert.InhibitedBy})"
            : "FIRING";
    }
}
