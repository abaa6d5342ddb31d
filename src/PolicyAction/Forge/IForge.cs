namespace PolicyAction.Forge;

/// <summary>A file to write in a commit: its path in the repository and its new bytes.</summary>
internal sealed record FileChange(string Path, byte[] Content);

/// <summary>Where a branch stands: its commit and that commit's tree (the base for the next commit's tree).</summary>
internal sealed record BranchTip(string CommitSha, string TreeSha);

/// <summary>A file on a branch: its bytes and its blob SHA, the token a compare-and-swap write gives back (null: no such file).</summary>
internal sealed record BranchFile(byte[] Content, string? BlobSha)
{
    public static BranchFile Missing { get; } = new([], null);
}

/// <summary>One entry of a git tree: a file (<c>blob</c>), a folder (<c>tree</c>) or a submodule (<c>commit</c>) by its name, with its mode and object id.</summary>
internal sealed record TreeEntryInfo(string Name, string Type, string Mode, string Sha)
{
    public bool IsFolder => Type == "tree";

    /// <summary>A regular file (not a symbolic link, mode 120000, nor a submodule).</summary>
    public bool IsFile => Type == "blob" && Mode is "100644" or "100755";
}

/// <summary>An issue as the alert checker sees it; <paramref name="UpdatedAt"/> moves with every comment.</summary>
internal sealed record IssueInfo(int Number, bool Open, string? Body, string Url, DateTimeOffset? ClosedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The names of its labels.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>A pull request: GitHub's issues API serves them as issues too, and closing one closes the pull request.</summary>
    public bool IsPullRequest { get; init; }
}

/// <summary>
/// A list the forge served page by page, read up to a bound: what was read, whether more was left unread
/// (<paramref name="Truncated"/>), and how many requests it took.
/// </summary>
internal sealed record Listing<T>(IReadOnlyList<T> Items, bool Truncated, int Requests);

/// <summary>How far a listing reads.</summary>
internal static class ListingBounds
{
    /// <summary>Items in one page (GitHub's per_page maximum).</summary>
    public const int PageSize = 100;

    /// <summary>
    /// Pages one listing follows at most: 10 pages, 1,000 items, GitHub's own cap on a filtered workflow-runs search.
    /// Beyond it the listing is <see cref="Listing{T}.Truncated"/>: what was read is a lower bound, and it says so.
    /// </summary>
    public const int MaxPages = 10;
}

/// <summary>One run of a workflow: when it was created, its status (queued, in_progress, completed…) and, once completed, its conclusion.</summary>
internal sealed record WorkflowRunInfo(long Id, DateTimeOffset CreatedAt, string Status, string? Conclusion, string? Branch);

/// <summary>The repository's security alert lists.</summary>
internal enum SecurityAlertKind
{
    Dependabot,
    CodeScanning,
    SecretScanning,
}

/// <summary>
/// One open security alert. <paramref name="Severity"/> as GitHub names it: Dependabot's advisory severity (low,
/// medium, high, critical); code scanning's rule security severity (low … critical) when set, else the rule's
/// severity (note, warning, error); null for secret scanning, whose alerts have none.
/// </summary>
internal sealed record SecurityAlertInfo(int Number, string? Severity);

/// <summary>One check run on a commit: its name, status (queued, in_progress, completed…) and conclusion once completed.</summary>
internal sealed record CheckRunInfo(string Name, string Status, string? Conclusion);

/// <summary>The latest status of one context on a commit (error, failure, pending, success), as the combined status gives it.</summary>
internal sealed record CommitStatusInfo(string Context, string State);

/// <summary>
/// The seam to the forge that hosts the repository: only what the tool needs (branch files and commits, refs, issues
/// and comments, the default branch). GitHub is one implementation (<c>GitHub.OctokitForge</c>, made by
/// <c>GitHub.GitHubConnector</c>); nothing else in the tool knows the forge's client library.
/// </summary>
internal interface IForge
{
    string Repository { get; }

    Task<string> GetDefaultBranchAsync(CancellationToken cancellationToken);

    /// <summary>The commit a branch points at and its tree, in one request; null if there is no such branch.</summary>
    Task<BranchTip?> GetBranchHeadAsync(string branch, CancellationToken cancellationToken);

    /// <summary>The entries of one git tree (one folder, not recursive); null if there is no such tree.</summary>
    Task<IReadOnlyList<TreeEntryInfo>?> GetTreeAsync(string treeSha, CancellationToken cancellationToken);

    /// <summary>A blob's bytes (up to 100 MB), checked against its id.</summary>
    Task<byte[]> GetBlobAsync(string blobSha, CancellationToken cancellationToken);

    /// <summary>A file's bytes at a commit, or null if it does not exist there.</summary>
    Task<byte[]?> GetFileAsync(string commitSha, string path, CancellationToken cancellationToken);

    /// <summary>A file as it is now at the tip of a branch (one request for files up to 1 MB); <see cref="BranchFile.Missing"/> if absent.</summary>
    Task<BranchFile> GetFileOnBranchAsync(string branch, string path, CancellationToken cancellationToken);

    /// <summary>
    /// Commits one file on the branch's current tip, only if the file there is still the blob
    /// <paramref name="expectedBlobSha"/> (null: only if it does not exist): a compare-and-swap on that one file.
    /// Returns the new tip, or null when another writer changed the file first.
    /// </summary>
    Task<BranchTip?> TryPutFileAsync(string branch, string path, string? expectedBlobSha, byte[] content, string message, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a tree on the parent's tree (text files inline, others as blobs) and a commit on the parent; returns
    /// the new commit and its tree. No ref moves.
    /// </summary>
    Task<BranchTip> CreateCommitAsync(BranchTip parent, IReadOnlyList<FileChange> changes, string message, CancellationToken cancellationToken);

    /// <summary>Moves the branch to the commit without force; false when it is not a fast-forward (someone else committed).</summary>
    Task<bool> TryFastForwardAsync(string branch, string commitSha, CancellationToken cancellationToken);

    /// <summary>Issues (open and closed, newest first) that carry the label; pull requests are left out.</summary>
    Task<IReadOnlyList<IssueInfo>> ListIssuesAsync(string label, CancellationToken cancellationToken);

    /// <summary>One issue by number (a pull request too, with <see cref="IssueInfo.IsPullRequest"/>); null when it no longer exists (deleted: 410, or 404).</summary>
    Task<IssueInfo?> GetIssueAsync(int number, CancellationToken cancellationToken);

    Task<IssueInfo> CreateIssueAsync(string title, string body, IReadOnlyList<string> labels, IReadOnlyList<string> assignees, CancellationToken cancellationToken);

    /// <summary>Opens or closes an issue; false when it no longer exists (deleted: 410, or 404).</summary>
    Task<bool> SetIssueOpenAsync(int number, bool open, CancellationToken cancellationToken);

    /// <summary>Comments on an issue; false when it no longer exists (deleted: 410, or 404).</summary>
    Task<bool> AddCommentAsync(int number, string body, CancellationToken cancellationToken);

    /// <summary>Branch names under a prefix (e.g. <c>fix/</c>).</summary>
    Task<IReadOnlyList<string>> ListBranchesAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Creates a branch at a commit; false when it already exists (it is then reused, never moved).</summary>
    Task<bool> CreateBranchAsync(string name, string commitSha, CancellationToken cancellationToken);

    // Reads for the orchestrator's signals. Each follows every page (100 a page) up to a bound and says when it
    // stopped short; a refusal (missing permission, feature off) throws ForgeRefusedException.

    /// <summary>Runs of a workflow (file name or id) created at or after <paramref name="createdSince"/>, newest first, optionally on one branch.</summary>
    Task<Listing<WorkflowRunInfo>> ListWorkflowRunsAsync(string workflow, DateTimeOffset createdSince, string? branch, CancellationToken cancellationToken);

    /// <summary>The open alerts of one kind.</summary>
    Task<Listing<SecurityAlertInfo>> ListOpenAlertsAsync(SecurityAlertKind kind, CancellationToken cancellationToken);

    /// <summary>The latest check runs on a ref (a branch, tag or commit SHA).</summary>
    Task<Listing<CheckRunInfo>> ListCheckRunsAsync(string reference, CancellationToken cancellationToken);

    /// <summary>The combined status of a ref: the latest status of each context.</summary>
    Task<Listing<CommitStatusInfo>> GetCombinedStatusAsync(string reference, CancellationToken cancellationToken);

    /// <summary>Open issues (not pull requests) that carry the label.</summary>
    Task<Listing<IssueInfo>> ListOpenIssuesAsync(string label, CancellationToken cancellationToken);
}
