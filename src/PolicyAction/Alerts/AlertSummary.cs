using PolicyAction.Output;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.Alerts;

/// <summary>
/// The Alerts section of the job summary: the alerts that need a look (firing, silenced, inhibited, not evaluated) as
/// rows, the quiet ones folded into one line, as the gates are; every alert's row stays in a collapsed table.
/// </summary>
internal static class AlertSummary
{
    private static readonly string[] Columns = ["Alert", "Severity", "State", "Observed", "Threshold", "Since", "Issue"];

    public static void Write(JobSummary summary, AlertReport report)
    {
        var notable = report.Alerts.Where(a => !a.Evaluated || a.Firing).ToArray();
        var quiet = report.Alerts.Count - notable.Length;
        summary.Heading("Alerts", 3);
        if (notable.Length > 0)
        {
            summary.Table(Columns, notable.Select(Row));
        }

        summary.Paragraph(notable.Length == 0 ? $"✅ No alert fires ({quiet} checked)." : $"✅ {quiet} other alert(s) quiet.");
        if (quiet > 0)
        {
            summary.Details("Every alert: what each observed", new JobSummary().Table(Columns, report.Alerts.Select(Row)));
        }

        foreach (var alert in report.Alerts.Where(a => a.Silenced && a.Firing))
        {
            summary.Paragraph($"`{alert.Id}` is silenced until {Times.Format(alert.SilencedUntil)}: {JobSummary.Cell(alert.SilenceReason ?? string.Empty)}");
        }

        if (report.Alerts.Any(a => a.FixBranch is not null))
        {
            summary.List(report.Alerts.Where(a => a.FixBranch is not null).Select(a => $"fix branch for `{a.Id}`: `{a.FixBranch}`"));
        }
    }

    private static IReadOnlyList<string> Row(AlertStatus a) =>
    [
        a.Id,
        a.Severity,
        State(a),
        a.Observed,
        a.Threshold,
        a.Since is null ? "–" : Times.Format(a.Since),
        a.IssueUrl is null ? "–" : $"[#{a.IssueNumber}]({a.IssueUrl})",
    ];

    private static string State(AlertStatus alert) =>
        !alert.Evaluated ? "not evaluated"
        : !alert.Firing ? "✅ ok"
        : alert.Silenced ? "🔕 silenced"
        : alert.Inhibited ? $"⏸ inhibited by {alert.InhibitedBy}"
        : "🔥 firing";
}
