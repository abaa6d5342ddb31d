using PolicyAction.Alerts;
using PolicyAction.GitHub;
using PolicyAction.Output;
using PolicyAction.RunnerProtocol;
using PolicyAction.SharedBranch;

namespace PolicyAction.ActionHost;

/// <summary>
/// The alert stage (true when an alert at or above fail_on fires): evaluate the rules, then keep one GitHub issue per firing alert (and fix branches). With the branch
/// as shared state, concurrent checks agree there on who opens an issue; without commits there is none.
/// </summary>
internal sealed class AlertStage(AlertService alerts, GitHubConnector github, BranchKnowledge knowledge, ActionContext context, Reporter reporter)
{
    public async Task<bool> RunAsync(JobSummary summary, ActionOutputs outputs, bool shareOnBranch, CancellationToken cancellationToken)
    {
        using (reporter.Group("Alerts"))
        {
            var previous = alerts.ReadPrevious();
            if (!github.HasToken)
            {
                reporter.Warning("no github-token: fix branches are not evaluated and no issues are filed", "Policy alerts: no GitHub access");
            }

            IReadOnlyList<string>? branches = null;
            var settings = alerts.Settings;
            var fixBranches = settings.Rules[AlertIds.FixBranches];
            if (github.HasToken && fixBranches.Enabled)
            {
                var (forge, _) = await github.ConnectAsync(cancellationToken).ConfigureAwait(false);
                branches = await forge.ListBranchesAsync(fixBranches.Prefix, cancellationToken).ConfigureAwait(false);
            }

            var check = alerts.Check(branches);
            foreach (var warning in check.Warnings)
            {
                reporter.Warning(warning, "Policy alerts: incomplete record");
            }

            var report = check.Report;
            var issueUrls = new List<string>();
            if (github.HasToken && report.Alerts.Any(a => a.Active || a.IssueNumber is not null || (previous?.Alerts.Any(p => p.Id == a.Id && p.IssueNumber is not null) ?? false)))
            {
                var (forge, branch) = await github.ConnectAsync(cancellationToken).ConfigureAwait(false);
                var links = AlertIssueLinksFor.Run(context, settings.RunbookUrl, shareOnBranch ? branch : null);
                var claim = shareOnBranch ? new IssueClaim(forge, branch, alerts.Clock, IssueClaim.ClaimantFor(context.RunId, context.RunAttempt), knowledge) : null;
                var manager = new AlertIssueManager(forge, settings, alerts.Clock, links, claim, alerts.AppendHistory);
                var sync = await manager.SyncAsync(report, previous, branch, cancellationToken).ConfigureAwait(false);
                report = sync.Report;
                issueUrls.AddRange(sync.IssueUrls);
                alerts.Save(report, sync.Actions);
                foreach (var warning in sync.Warnings)
                {
                    reporter.Warning(warning, "Policy alerts: report entry ignored");
                }

                foreach (var warning in sync.Unassigned)
                {
                    reporter.Warning(warning, "Policy alerts: issue unassigned");
                }

                foreach (var action in sync.Actions)
                {
                    reporter.Line(action.ToString());
                }
            }

            reporter.Text(AlertText.Render(check with { Report = report }));
            foreach (var alert in report.Alerts.Where(a => a.Active))
            {
                var message = $"{alert.Id} ({alert.Severity}): {alert.Observed}, threshold {alert.Threshold}" + (alert.IssueUrl is null ? string.Empty : $" — {alert.IssueUrl}");
                if (alert.ParsedSeverity >= Severity.High)
                {
                    reporter.Failure(message, "Policy alert firing");
                }
                else
                {
                    reporter.Warning(message, "Policy alert firing");
                }
            }

            AlertSummary.Write(summary, report);
            outputs.Set("alerts", string.Join(',', report.Alerts.Where(a => a.Active).Select(a => a.Id)));
            outputs.Set("issue-urls", string.Join('\n', issueUrls));
            return alerts.ShouldFail(report);
        }
    }
}
