using System.Text;
using PolicyAction.Output;

namespace PolicyAction.Alerts;

/// <summary>The alerts table and changes that <c>alerts</c> prints.</summary>
internal static class AlertText
{
    public static string Render(AlertCheck check)
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

        static string State(AlertStatus alert) =>
            !alert.Evaluated ? "not evaluated"
            : !alert.Firing ? "ok"
            : alert.Silenced ? "FIRING (silenced)"
            : alert.Inhibited ? $"FIRING (inhibited by {alert.InhibitedBy})"
            : "FIRING";
    }
}
