using PolicyAction.Forge;

namespace PolicyAction.Orchestrator.Providers.GitHubQueries;

/// <summary>
/// <c>workflow_runs</c>: runs of one workflow created in the window (optionally on one branch). <c>failed</c> counts
/// completed runs that failed; <c>failure_ratio</c> is failed over completed, absent when none completed.
/// </summary>
internal sealed class WorkflowRunsQuery : GitHubSignalQuery
{
    /// <summary>Conclusions that count as failed.</summary>
    public static readonly IReadOnlySet<string> FailedConclusions = new HashSet<string>(StringComparer.Ordinal) { "failure", "timed_out", "startup_failure" };

    public override GitHubQuery Query => GitHubQuery.WorkflowRuns;

    public override GitHubPermission Permission { get; } = new("actions: read", "Actions: read");

    public override async Task<SignalReading> ReadAsync(GitHubSource source, IForge forge, Func<Task<string>> defaultBranch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var workflow = source.Workflow ?? throw new InvalidOperationException("a workflow_runs signal names its workflow (the loader checks it)");
        var window = source.Window ?? GitHubSource.DefaultWindow;
        var since = now - window;
        var listing = await forge.ListWorkflowRunsAsync(workflow, since, source.Branch, cancellationToken).ConfigureAwait(false);

        // GitHub's created filter is inclusive; the window's edge is checked here too, so a run exactly at it counts.
        var completed = listing.Items.Where(r => r.CreatedAt >= since && r.Status == "completed").ToArray();
        var failed = completed.Count(r => r.Conclusion is { } conclusion && FailedConclusions.Contains(conclusion));
        var where = $"{workflow}{(source.Branch is null ? string.Empty : $" on {source.Branch}")} in the last {Output.Durations.Format(window)}";
        var newest = listing.Truncated ? " (the newest runs only: GitHub lists at most 1000)" : string.Empty;
        if (source.Measure == RunMeasure.FailureRatio)
        {
            // No run, no failure: a quiet weekend is 0, not unknown (which would ask for YELLOW by default).
            return completed.Length == 0
                ? SignalReading.Number(0, $"no completed runs of {where}, so none failed")
                : SignalReading.Number((double)failed / completed.Length, $"{failed} of {completed.Length} completed runs of {where} failed{newest}");
        }

        return SignalReading.Number(failed, Counted(listing, failed, $"failed of {completed.Length} completed runs of {where}"));
    }
}
