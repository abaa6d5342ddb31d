using PolicyAction.Forge;

namespace PolicyAction.Orchestrator.Providers.GitHubQueries;

/// <summary><c>check_runs</c>: check runs on the ref's head (the default branch unless <c>ref</c> says) that failed or wait for action.</summary>
internal sealed class CheckRunsQuery : GitHubSignalQuery
{
    public static readonly IReadOnlySet<string> FailingConclusions = new HashSet<string>(StringComparer.Ordinal) { "failure", "timed_out", "startup_failure", "action_required" };

    public override GitHubQuery Query => GitHubQuery.CheckRuns;

    public override GitHubPermission Permission { get; } = new("checks: read", "Checks: read");

    public override async Task<SignalReading> ReadAsync(GitHubSource source, IForge forge, Func<Task<string>> defaultBranch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reference = source.Ref ?? await defaultBranch().ConfigureAwait(false);
        var listing = await forge.ListCheckRunsAsync(reference, cancellationToken).ConfigureAwait(false);
        var failing = listing.Items.Where(c => c.Conclusion is { } conclusion && FailingConclusions.Contains(conclusion)).Select(c => c.Name).ToArray();
        var names = failing.Length == 0 ? string.Empty : $": {string.Join(", ", failing.Take(5))}{(failing.Length > 5 ? ", …" : string.Empty)}";
        return SignalReading.Number(failing.Length, Counted(listing, failing.Length, $"failing of {listing.Items.Count} check runs on {reference}{names}"));
    }
}
