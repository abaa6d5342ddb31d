using PolicyAction.GitHub;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.SharedBranch;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>The commit stage: the run's changed artifacts as one commit on the shared branch.</summary>
internal sealed class CommitStage(WorkspacePaths paths, GitHubConnector github, BranchKnowledge knowledge, ActionContext context, Reporter reporter)
{
    /// <summary>apply-only: commit when a log gained records (a response applied or blocked, a new level, an alert changed), not for a preview alone.</summary>
    public bool Wanted(CommitMode mode, Dictionary<string, byte[]> baseline) =>
        mode == CommitMode.Always || (mode == CommitMode.ApplyOnly && ArtifactCommitter.LogsChanged(baseline, paths));

    public async Task<CommitOutcome?> RunAsync(Dictionary<string, byte[]> baseline, RespondResult? result, CancellationToken cancellationToken)
    {
        using (reporter.Group("Commit artifacts"))
        {
            var (forge, branch) = await github.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var message = result?.Report is { } report
                ? $"policy-response: {report.Policy} {report.Mode.ToWire()} {report.ResponseId:D}\n\n{report.Message}\nPlan digest: {report.PlanDigest}\n"
                : "policy-response: alerts\n\n";
            message += context.RunUrl is { } url ? $"Run: {url}\n" : string.Empty;
            var outcome = await new ArtifactCommitter(forge, paths, knowledge).CommitAsync(baseline, branch, message, cancellationToken).ConfigureAwait(false);
            reporter.Line(outcome is null
                ? "no artifact changed; nothing to commit"
                : $"committed {outcome.Paths.Count} file(s) to {branch} as {outcome.CommitSha}" + (outcome.Retries > 0 ? $" after {outcome.Retries} retr{(outcome.Retries == 1 ? "y" : "ies")} (the branch moved)" : string.Empty)
                    + $" · {github.Sent} API request(s) in this run");
            return outcome;
        }
    }
}
