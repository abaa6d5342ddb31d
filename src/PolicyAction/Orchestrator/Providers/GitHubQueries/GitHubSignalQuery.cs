using PolicyAction.Forge;

namespace PolicyAction.Orchestrator.Providers.GitHubQueries;

/// <summary>
/// What a GitHub signal's token needs: the <c>permissions:</c> key of the workflow's GITHUB_TOKEN (null when
/// GITHUB_TOKEN cannot be given it) and the repository permission of a fine-grained token or GitHub App.
/// </summary>
internal sealed record GitHubPermission(string? WorkflowToken, string FineGrained)
{
    /// <summary>For people: "`actions: read` (or a fine-grained token with Actions: read)".</summary>
    public string Describe() => WorkflowToken is { } key
        ? $"`{key}` (a fine-grained token or GitHub App: \"{FineGrained}\")"
        : $"a fine-grained token or GitHub App with \"{FineGrained}\" (the workflow's GITHUB_TOKEN cannot be given it)";
}

/// <summary>
/// One <c>query:</c> of a github signal: the permission it needs and how it turns what the forge lists into a
/// value. <see cref="GitHubSignalProvider"/> holds the list; adding a query adds one class here.
/// </summary>
internal abstract class GitHubSignalQuery
{
    public abstract GitHubQuery Query { get; }

    /// <summary>The one place this query's permission is named (the provider's messages and the docs read it).</summary>
    public abstract GitHubPermission Permission { get; }

    /// <summary>
    /// Reads the value. Refusals and failures propagate as <see cref="ForgeException"/>; the provider makes them
    /// unknown. <paramref name="defaultBranch"/> gives the repository's default branch, asked at most once per provider.
    /// </summary>
    public abstract Task<SignalReading> ReadAsync(GitHubSource source, IForge forge, Func<Task<string>> defaultBranch, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>"at least" when the forge stopped at its page bound: the count read is then a lower bound.</summary>
    protected static string Counted<T>(Listing<T> listing, int count, string what) =>
        listing.Truncated
            ? $"at least {count} {what} (stopped after {listing.Requests} pages of {ListingBounds.PageSize}; the rest was not read)"
            : $"{count} {what}";
}
