using PolicyAction.Forge;

namespace PolicyAction.GitHub;

/// <summary>The forge of this run and the branch it shares state on.</summary>
internal sealed record ForgeConnection(IForge Forge, string Branch);

/// <summary>
/// The one place the GitHub client is made: one Octokit client for the whole run (one request at a time, one retry
/// budget), on <see cref="RetryingHandler"/>, made when first needed; the shared branch is the commit-branch input,
/// else the event payload's default branch, else the repository's, asked once.
/// </summary>
/// <param name="token">The github-token input, else GITHUB_TOKEN; null or empty when the run has none.</param>
/// <param name="repository">owner/name (GITHUB_REPOSITORY).</param>
/// <param name="branch">The commit-branch input, already checked; null to use the default branch.</param>
/// <param name="payloadDefaultBranch">The event payload's repository.default_branch, when it has one.</param>
internal sealed class GitHubConnector(
    string apiUrl,
    string? token,
    string? repository,
    string? branch,
    string? payloadDefaultBranch,
    TimeProvider clock,
    Action<string> log) : IDisposable
{
    private RetryingHandler? _handler;
    private OctokitForge? _forge;
    private string? _branch = branch;

    public bool HasToken => !string.IsNullOrEmpty(token);

    /// <summary>How long one request may wait in all on GitHub's rate limits and server errors (the github-wait-budget input).</summary>
    public TimeSpan WaitBudget { get; init; } = RetryPolicy.Default.Budget;

    /// <summary>The least time between two content-creating requests (GitHub asks for a second).</summary>
    public TimeSpan WriteInterval { get; init; } = RetryPolicy.Default.WriteInterval;

    /// <summary>Requests sent so far in this run.</summary>
    public int Sent => _handler?.Sent ?? 0;

    public async Task<ForgeConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_forge is null)
        {
            if (string.IsNullOrEmpty(token))
            {
                throw new UsageException("no github-token input (and no GITHUB_TOKEN): cannot reach the repository; give the job 'contents: write' and pass ${{ github.token }}, or set commit-artifacts: false");
            }

            var name = repository ?? throw new UsageException("GITHUB_REPOSITORY is not set: cannot tell which repository to use");
            _handler = new RetryingHandler(new HttpClientHandler(), RetryPolicy.Default with { Budget = WaitBudget, WriteInterval = WriteInterval }, clock, log);
            _forge = OctokitForge.Create(apiUrl, token, name, _handler, clock, log);
        }

        _branch ??= payloadDefaultBranch is { } fromPayload
            ? BranchName.Validate(fromPayload, "the event payload's repository.default_branch")
            : BranchName.Validate(await _forge.GetDefaultBranchAsync(cancellationToken).ConfigureAwait(false), "the repository's default branch");

        return new ForgeConnection(_forge, _branch);
    }

    public void Dispose() => _handler?.Dispose();
}
