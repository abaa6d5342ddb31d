using PolicyAction.Forge;

namespace PolicyAction.Orchestrator.Providers.GitHubQueries;

/// <summary><c>issues</c>: open issues (not pull requests) that carry the label.</summary>
internal sealed class LabelledIssuesQuery : GitHubSignalQuery
{
    public override GitHubQuery Query => GitHubQuery.Issues;

    public override GitHubPermission Permission { get; } = new("issues: read", "Issues: read");

    public override async Task<SignalReading> ReadAsync(GitHubSource source, IForge forge, Func<Task<string>> defaultBranch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var label = source.Label ?? throw new InvalidOperationException("an issues signal names its label (the loader checks it)");
        var listing = await forge.ListOpenIssuesAsync(label, cancellationToken).ConfigureAwait(false);
        return SignalReading.Number(listing.Items.Count, Counted(listing, listing.Items.Count, $"open issues labelled {label}"));
    }
}
