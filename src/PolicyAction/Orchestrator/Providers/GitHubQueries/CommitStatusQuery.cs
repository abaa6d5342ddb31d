using PolicyAction.Forge;

namespace PolicyAction.Orchestrator.Providers.GitHubQueries;

/// <summary><c>commit_status</c>: contexts whose latest status on the ref (the default branch unless <c>ref</c> says) is failure or error.</summary>
internal sealed class CommitStatusQuery : GitHubSignalQuery
{
    public override GitHubQuery Query => GitHubQuery.CommitStatus;

    public override GitHubPermission Permission { get; } = new("statuses: read", "Commit statuses: read");

    public override async Task<SignalReading> ReadAsync(GitHubSource source, IForge forge, Func<Task<string>> defaultBranch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reference = source.Ref ?? await defaultBranch().ConfigureAwait(false);
        var listing = await forge.GetCombinedStatusAsync(reference, cancellationToken).ConfigureAwait(false);
        var failing = listing.Items.Where(s => s.State is "failure" or "error").Select(s => s.Context).ToArray();
        var names = failing.Length == 0 ? string.Empty : $": {string.Join(", ", failing.Take(5))}{(failing.Length > 5 ? ", …" : string.Empty)}";
        return SignalReading.Number(failing.Length, Counted(listing, failing.Length, $"failing of {listing.Items.Count} status contexts on {reference}{names}"));
    }
}
