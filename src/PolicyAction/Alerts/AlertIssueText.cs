using System.Text;
using System.Text.RegularExpressions;
using PolicyAction.Output;

namespace PolicyAction.Alerts;

/// <summary>
/// The Markdown of alert issues and comments. Bodies carry two hidden markers: the seed's audit marker
/// and the alert's fingerprint, which is how the checker finds its issue again (not the search API,
/// whose index lags). Everything stays under GitHub's 65,536-character limit. Text from the state files, the
/// report or the configuration (observations, evidence, branch names) goes in as <see cref="InertMarkdown"/> code
/// spans; the title holds only the alert's id and severity, which the tool's own rules name.
/// </summary>
internal static partial class AlertIssueText
{
    public const int GitHubBodyLimit = 65_536;

    /// <summary>A comment's limit: room is left for the marker the forge adds to find a comment whose answer was lost.</summary>
    public const int CommentBodyLimit = GitHubBodyLimit - 128;
    public const string RunbookBase = "docs/runbook.md";

    public static string CreatedMarker(DateTimeOffset at) => $"<!-- POLICY_ALERT: CREATED {Times.Format(at)} -->";

    public static string FingerprintMarker(AlertStatus alert) => $"<!-- policy-response-alert fingerprint={alert.Fingerprint} alert={alert.Id} -->";

    /// <summary>The fingerprint an issue body carries, if it is one of ours.</summary>
    public static string? FingerprintOf(string? body) =>
        body is null ? null : FingerprintPattern().Match(body) is { Success: true } match ? match.Groups[1].Value : null;

    public static string Title(AlertStatus alert) => $"[policy-response] {alert.Severity} alert: {Describe(alert.Id)}";

    public static string Body(AlertStatus alert, DateTimeOffset now, string? runUrl, string? runbookUrl, string? fixBranch)
    {
        var text = new StringBuilder();
        text.Append(CreatedMarker(now)).Append('\n').Append(FingerprintMarker(alert)).Append("\n\n");
        text.Append($"**{Describe(alert.Id)}** has been firing since {Times.Format(alert.Since)} ({alert.Severity}).\n\n");
        text.Append("| | |\n| --- | --- |\n");
        text.Append($"| Observed | {InertMarkdown.Cell(alert.Observed)} |\n");
        text.Append($"| Threshold | {InertMarkdown.Cell(alert.Threshold)} |\n");
        text.Append($"| Severity | {alert.Severity} |\n");
        text.Append($"| Fingerprint | `{alert.Fingerprint}` |\n\n");
        if (fixBranch is not null)
        {
            text.Append($"A fix branch was created for this: {InertMarkdown.Code(fixBranch)}.\n\n");
        }

        text.Append(Evidence(alert));
        text.Append("### What to do\n\n");
        text.Append(Advice(alert.Id)).Append("\n\n");
        text.Append($"To silence it, add to `alerts.silences` in `.github/policy-response.yml`:\n\n```yaml\n- alert: {alert.Id}\n  until: \"{Times.Format(now.AddDays(1))}\"\n  reason: <why>\n```\n\n");
        var links = new List<string>();
        if (runUrl is not null)
        {
            links.Add($"[the run that found it]({runUrl})");
        }

        if (runbookUrl is not null)
        {
            links.Add($"[runbook: {Describe(alert.Id)}]({runbookUrl}#{alert.Id.Replace('_', '-')})");
        }

        if (links.Count > 0)
        {
            text.Append("See ").Append(string.Join(" and ", links)).Append(".\n");
        }

        return Limit(GitHubBodyLimit, text.ToString());
    }

    public static string RepeatComment(AlertStatus alert, string? runUrl) =>
        Limit(CommentBodyLimit, $"Still firing ({InertMarkdown.Code(alert.Observed)}; threshold {InertMarkdown.Code(alert.Threshold)}).\n\n{Evidence(alert)}" + (runUrl is null ? string.Empty : $"Checked by {runUrl}.\n"));

    public static string ResolvedComment(AlertStatus previous, DateTimeOffset resolvedAt, string? runUrl) =>
        $"Resolved at {Times.Format(resolvedAt)}: it fired from {Times.Format(previous.Since)} to {Times.Format(resolvedAt)}."
        + (runUrl is null ? string.Empty : $" Checked by {runUrl}.") + "\n";

    public static string ReopenComment(AlertStatus alert, string? runUrl) =>
        Limit(CommentBodyLimit, $"Firing again since {Times.Format(alert.Since)} ({InertMarkdown.Code(alert.Observed)}; threshold {InertMarkdown.Code(alert.Threshold)}); reopened.\n\n{Evidence(alert)}" + (runUrl is null ? string.Empty : $"Checked by {runUrl}.\n"));

    private static string Evidence(AlertStatus alert)
    {
        if (alert.Evidence.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder("### Evidence\n\n| When | What |\n| --- | --- |\n");
        foreach (var item in alert.Evidence)
        {
            text.Append($"| {Times.Format(item.At)} | {InertMarkdown.Cell(item.What)} |\n");
        }

        return text.Append('\n').ToString();
    }

    /// <summary>Cuts on a line boundary with a visible note, below GitHub's body limit.</summary>
    public static string Limit(int limit, string body)
    {
        if (body.Length <= limit)
        {
            return body;
        }

        const string note = "\n\n> **Truncated**: this text exceeded GitHub's 65,536-character limit; the full evidence is in reports/policy_orchestration_alerts.json.\n";
        var cut = body.LastIndexOf('\n', limit - note.Length - 1);
        return body[..(cut > 0 ? cut : limit - note.Length)] + note;
    }

    private static string Describe(string id) => id switch
    {
        AlertIds.RedFlips => "policy flipping into RED",
        AlertIds.BrakeEngaged => "safety brake engaged too long",
        AlertIds.BlockedStreak => "responses blocked repeatedly",
        AlertIds.FixBranches => "fix branches created",
        AlertIds.ActionFailures => "actions failing repeatedly",
        _ => id,
    };

    private static string Advice(string id) => id switch
    {
        AlertIds.RedFlips => "The level keeps changing. Check the orchestration's inputs for flapping and consider holding the trust guard (`policy-response trust lock --reason ...`) until it settles.",
        AlertIds.BrakeEngaged => "Find out why the brake was engaged (`policy-response brake status`). When it is safe, release it: `policy-response brake release --reason ...`.",
        AlertIds.BlockedStreak => "Automation has not run for several responses. `policy-response gates` shows which gate blocks and why.",
        AlertIds.FixBranches => "Review the new fix branches and the logs that led to them.",
        AlertIds.ActionFailures => "The same response keeps failing. Read the failed actions in the evidence and the audit log; fix them on the fix branch.",
        _ => "See the runbook.",
    };

    [GeneratedRegex("<!-- policy-response-alert fingerprint=([0-9a-f]{16}) ")]
    private static partial Regex FingerprintPattern();
}
