using PolicyAction.Output;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.Alerts;

/// <summary>The Alerts section of the job summary.</summary>
internal static class AlertSummary
{
    public static void Write(JobSummary summary, AlertReport report)
    {
        summary.Heading("Alerts", 3).Table(
            ["Alert", "Severity", "State", "Observed", "Threshold", "Since", "Issue"],
            report.Alerts.Select(a => (IReadOnlyList<string>)[
                a.Id,
                a.Severity,
                State(a),
                a.Observed,
                a.Threshold,
                a.Since is null ? string.Empty : Times.Format(a.Since),
                a.IssueUrl is null ? string.Empty : $"[#{a.IssueNumber}]({a.IssueUrl})",
            ]));

        foreach (var alert in report.Alerts.Where(a => a.Silenced && a.Firing))
        {
            summary.Paragraph($"`{alert.Id}` is silenced until {Times.Format(alert.SilencedUntil)}: {JobSummary.Cell(alert.SilenceReason ?? string.Empty)}");
        }

        if (report.Alerts.Any(a => a.FixBranch is not null))
        {
            summary.List(report.Alerts.Where(a => a.FixBranch is not null).Select(a => $"fix branch for `{a.Id}`: `{a.FixBranch}`"));
        }
    }

    private static string State(AlertStatus alert) =>
        !alert.Evaluated ? "not evaluated"
        : !alert.Firing ? "✅ ok"
        : alert.Silenced ? "🔕 silenced"
        : alert.Inhibited ? $"⏸ inhibited by {alert.InhibitedBy}"
        : "🔥 firing";
}
