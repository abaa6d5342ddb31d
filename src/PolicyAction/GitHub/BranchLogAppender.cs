namespace PolicyAction.GitHub;

/// <summary>What to do with an append-only log as found on the branch: append a line, or refuse with a reason.</summary>
internal sealed record AppendDecision(byte[]? Line, string? Refusal)
{
    public static AppendDecision Append(byte[] line) => new(line, null);

    public static AppendDecision Refuse(string reason) => new(null, reason);
}

/// <summary>The outcome: the commit that holds the line, or the reason it was refused.</summary>
internal sealed record AppendOutcome(string? CommitSha, string? Refusal)
{
    public bool Appended => CommitSha is not null;
}

/// <summary>
/// Appends one line to an append-only log on the shared branch, as a compare-and-swap: reads the log at the
/// branch head, lets the caller decide against what it found, commits on that head and moves the branch
/// fast-forward only. When another run moved the branch first, it reads again and decides again. The branch
/// is the one piece of state every run sees, so concurrent runs cannot both act on the same stale view.
/// </summary>
internal sealed class BranchLogAppender
{
    public const int MaxAttempts = BranchRace.MaxAttempts;

    private readonly IRepositoryApi _api;
    private readonly string _branch;

    public BranchLogAppender(IRepositoryApi api, string branch)
    {
        _api = api;
        _branch = branch;
    }

    public string Branch => _branch;

    /// <param name="path">The log's path in the repository.</param>
    /// <param name="decide">Called with the log's bytes on the branch (empty when it does not exist) on every attempt.</param>
    /// <param name="message">The commit message.</param>
    /// <param name="failure">What was lost when every attempt lost the race, for the error.</param>
    public async Task<AppendOutcome> AppendAsync(string path, Func<byte[], AppendDecision> decide, string message, string failure, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (attempt > 0)
            {
                await BranchRace.BackoffAsync(attempt - 1, cancellationToken).ConfigureAwait(false);
            }

            var head = await _api.GetBranchHeadAsync(_branch, cancellationToken).ConfigureAwait(false)
                ?? throw new GitHubApiException($"branch {_branch} does not exist in {_api.Repository}; set the commit-branch input to an existing branch");
            var remote = await _api.GetFileAsync(head, path, cancellationToken).ConfigureAwait(false) ?? [];
            var decision = decide(remote);
            if (decision.Line is not { } line)
            {
                return new AppendOutcome(null, decision.Refusal ?? "refused");
            }

            var commit = await _api.CreateCommitAsync(head, [new FileChange(path, AppendOnlyMerge.Append(remote, line))], message, cancellationToken).ConfigureAwait(false);
            if (await _api.TryFastForwardAsync(_branch, commit, cancellationToken).ConfigureAwait(false))
            {
                return new AppendOutcome(commit, null);
            }
        }

        throw new GitHubApiException($"branch {_branch} kept moving: {MaxAttempts} attempts lost the race; {failure}");
    }
}
