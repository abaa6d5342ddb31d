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
/// <summary>Where an issue's links point; each is left out when null (never a link that would 404).</summary>
/// <param name="RepositoryUrl">The repository's page (<c>https://github.com/OWNER/REPO</c>): evidence links only to runs under it.</param>
/// <param name="RunUrl">The run of the checker.</param>
/// <param name="RunbookUrl">The runbook document; the alert's heading anchor is appended.</param>
/// <param name="ReportUrl">The alerts report on the branch it is committed to, which holds the evidence beyond the rows shown.</param>
internal sealed record AlertIssueLinks(string? RepositoryUrl, string? RunUrl, string? RunbookUrl, string? ReportUrl)
{
    public static AlertIssueLinks None { get; } = new(null, null, null, null);
}

internal static partial class AlertIssueText
{
    public const int GitHubBodyLimit = 65_536;

    /// <summary>A comment's limit: room is left for the marker the forge adds to find a comment whose answer was lost.</summary>
    public const int CommentBodyLimit = GitHubBodyLimit - 128;

    /// <summary>The alerts report, which holds every alert's full evidence.</summary>
    public const string ReportPath = "reports/policy_orchestration_alerts.json";
    /// <summary>How many evidence rows an issue or comment shows; the rest are counted and left to the report.</summary>
    public const int EvidenceRows = 10;

    public static string CreatedMarker(DateTimeOffset at) => $"<!-- POLICY_ALERT: CREATED {Times.Format(at)} -->";

    public static string FingerprintMarker(AlertStatus alert) => $"<!-- policy-response-alert fingerprint={alert.Fingerprint} alert={alert.Id} -->";

    /// <summary>The fingerprint an issue body carries, if it is one of ours.</summary>
    public static string? FingerprintOf(string? body) =>
        body is null ? null : FingerprintPattern().Match(body) is { Success: true } match ? match.Groups[1].Value : null;

    public static string Title(AlertStatus alert) => $"[policy-response] {alert.Severity} alert: {Describe(alert.Id)}";

    /// <summary>The runbook heading an alert's issue links to, as GitHub makes anchors from headings ("Red flips" → red-flips).</summary>
    public static string RunbookAnchor(string id) => id.Replace('_', '-');

    /// <summary>What an alert is about, in words: the title, the heading and README's list of alerts use it.</summary>
    public static string Describe(string id) => id switch
    {
        AlertIds.RedFlips => "policy flipping into RED",
        AlertIds.BrakeEngaged => "safety brake engaged too long",
        AlertIds.BlockedStreak => "responses blocked repeatedly",
        AlertIds.FixBranches => "fix branches created",
        AlertIds.ActionFailures => "actions failing repeatedly",
        _ => id,
    };

    /// <summary>
    /// The issue, in the order on-call reads an Alertmanager notification: what fired, how bad and since when; what to
    /// do (with the runbook); the events behind it, newest last; then the details and how to silence it.
    /// </summary>
    public static string Body(AlertStatus alert, DateTimeOffset now, AlertIssueLinks links, string? fixBranch)
    {
        var text = new StringBuilder();
        text.Append(CreatedMarker(now)).Append('\n').Append(FingerprintMarker(alert)).Append("\n\n");
        text.Append($"## {Mark(alert.Severity)} {Capitalized(Describe(alert.Id))}\n\n");
        text.Append($"**{Capitalized(alert.Severity)}**, firing since {Times.Format(alert.Since)}: observed {InertMarkdown.Code(alert.Observed)}, threshold {InertMarkdown.Code(alert.Threshold)}.\n\n");
        text.Append("### What to do\n\n");
        text.Append(Advice(alert.Id));
        if (links.RunbookUrl is not null)
        {
            text.Append($" Runbook: [{Capitalized(alert.Id.Replace('_', ' '))}]({links.RunbookUrl}#{RunbookAnchor(alert.Id)}).");
        }

        text.Append("\n\n");
        if (fixBranch is not null)
        {
            text.Append(FixBranchLine(fixBranch));
        }

        text.Append(Evidence(alert, links));
        text.Append("### Details\n\n");
        text.Append($"- Alert: `{alert.Id}`, fingerprint `{alert.Fingerprint}` (this issue is found again by it: keep the hidden markers at the top)\n");
        if (links.RunUrl is not null)
        {
            text.Append($"- Found by: [{RunLabel(links.RunUrl)}]({links.RunUrl})\n");
        }

        text.Append('\n');
        text.Append("<details><summary>Silence it while you work on it</summary>\n\n");
        text.Append($"Add to `alerts.silences` in `.github/policy-response.yml`:\n\n```yaml\n- alert: {alert.Id}\n  until: \"{Times.Format(now.AddDays(1))}\"\n  reason: <why>\n```\n\n</details>\n");
        return Limit(GitHubBodyLimit, text.ToString());
    }

    public static string RepeatComment(AlertStatus alert, AlertIssueLinks links) =>
        Limit(CommentBodyLimit, $"**Still firing** since {Times.Format(alert.Since)}: observed {InertMarkdown.Code(alert.Observed)}, threshold {InertMarkdown.Code(alert.Threshold)}.\n\n"
            + (alert.FixBranch is null ? string.Empty : FixBranchLine(alert.FixBranch)) + Evidence(alert, links) + CheckedBy(links.RunUrl));

    public static string ResolvedComment(AlertStatus previous, DateTimeOffset resolvedAt, string? runUrl) =>
        $"**Resolved** at {Times.Format(resolvedAt)}: it fired from {Times.Format(previous.Since)} to {Times.Format(resolvedAt)}.\n\n" + CheckedBy(runUrl);

    public static string ReopenComment(AlertStatus alert, AlertIssueLinks links) =>
        Limit(CommentBodyLimit, $"**Firing again** since {Times.Format(alert.Since)}, so this issue is reopened: observed {InertMarkdown.Code(alert.Observed)}, threshold {InertMarkdown.Code(alert.Threshold)}.\n\n"
            + (alert.FixBranch is null ? string.Empty : FixBranchLine(alert.FixBranch)) + Evidence(alert, links) + CheckedBy(links.RunUrl));

    private static string FixBranchLine(string fixBranch) =>
        $"**Fix branch**: {InertMarkdown.Code(fixBranch)}, created for this alert from the default branch. Fix it there; the checker never moves it.\n\n";

    private static string CheckedBy(string? runUrl) => runUrl is null ? string.Empty : $"Checked by [{RunLabel(runUrl)}]({runUrl}).\n";

    /// <summary>The most recent <see cref="EvidenceRows"/> events, each with the run behind it, then how many earlier ones the report holds.</summary>
    private static string Evidence(AlertStatus alert, AlertIssueLinks links)
    {
        if (alert.Evidence.Count == 0)
        {
            return string.Empty;
        }

        var shown = alert.Evidence.TakeLast(EvidenceRows).ToArray();
        var text = new StringBuilder(alert.Evidence.Count > shown.Length ? $"### Evidence (the latest {shown.Length} of {alert.Evidence.Count})\n\n" : "### Evidence\n\n");
        // The run column only when a record names its run (the brake's state file and branches do not).
        var runs = shown.Any(e => e.RunUrl is not null);
        text.Append(runs ? "| When | What | Run |\n| --- | --- | --- |\n" : "| When | What |\n| --- | --- |\n");
        foreach (var item in shown)
        {
            text.Append($"| {Times.Format(item.At)} | {InertMarkdown.Cell(item.What)} |");
            text.Append(runs ? $" {RunCell(item.RunUrl, links.RepositoryUrl)} |\n" : "\n");
        }

        var earlier = alert.Evidence.Count - shown.Length;
        if (earlier > 0)
        {
            var report = links.ReportUrl is null ? $"`{ReportPath}`" : $"[`{ReportPath}`]({links.ReportUrl})";
            text.Append($"\n…and {earlier} earlier: see this alert's `evidence` in {report}.\n");
        }

        return text.Append('\n').ToString();
    }

    /// <summary>
    /// A link to the run behind an event, when the record names a run of this repository; anything else in the field
    /// (the audit log is a committed file anyone who can push may edit) stays inert text, never a link.
    /// </summary>
    private static string RunCell(string? runUrl, string? repositoryUrl)
    {
        if (runUrl is null)
        {
            return string.Empty;
        }

        return repositoryUrl is not null && RunPath().Match(runUrl) is { Success: true } match && string.Equals(match.Groups["repo"].Value, repositoryUrl, StringComparison.Ordinal)
            ? $"[{RunLabel(runUrl)}]({runUrl})"
            : InertMarkdown.Cell(runUrl);
    }

    /// <summary>"run 9001" (or "run 9001, attempt 2") for a run's page.</summary>
    private static string RunLabel(string runUrl) =>
        RunPath().Match(runUrl) is { Success: true } match
            ? $"run {match.Groups["id"].Value}" + (match.Groups["attempt"].Success ? $", attempt {match.Groups["attempt"].Value}" : string.Empty)
            : "the run";

    private static string Mark(string severity) => severity switch
    {
        "critical" => "🔴",
        "high" => "🟠",
        "medium" => "🟡",
        _ => "⚪",
    };

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Cuts on a line boundary with a visible note, below GitHub's body limit.</summary>
    public static string Limit(int limit, string body)
    {
        if (body.Length <= limit)
        {
            return body;
        }

        const string note = "\n\n> **Truncated**: this text exceeded GitHub's 65,536-character limit; the full evidence is in " + ReportPath + ".\n";
        var cut = body.LastIndexOf('\n', limit - note.Length - 1);
        return body[..(cut > 0 ? cut : limit - note.Length)] + note;
    }

    private static string Advice(string id) => id switch
    {
        AlertIds.RedFlips => "The level keeps changing. Check the orchestration's inputs for flapping (`policy-response evaluate --explain <signal>`) and consider holding the trust guard until it settles: `gh workflow run policy_control.yml -f command=trust-lock -f reason=\"<why>\"`.",
        AlertIds.BrakeEngaged => "Find out why the brake was engaged (`policy-response brake status`). When it is safe, release it from the control workflow: `gh workflow run policy_control.yml -f command=brake-release -f reason=\"<why>\"`.",
        AlertIds.BlockedStreak => "Automation has not run for several responses. `policy-response gates` shows which gate blocks and why.",
        AlertIds.FixBranches => "Review the new fix branches and the logs that led to them.",
        AlertIds.ActionFailures => "The same response keeps failing. Read the failed actions in the evidence and the audit log; fix them on the fix branch.",
        _ => "See the runbook.",
    };

    [GeneratedRegex("<!-- policy-response-alert fingerprint=([0-9a-f]{16}) ")]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex(@"^(?<repo>https://[^/\s]+/[A-Za-z0-9-]+/[A-Za-z0-9._-]+)/actions/runs/(?<id>[0-9]{1,20})(?:/attempts/(?<attempt>[0-9]{1,5}))?$")]
    private static partial Regex RunPath();
}
