namespace PolicyAction.GitHub;

/// <summary>A file to write in a commit: its path in the repository and its new bytes.</summary>
internal sealed record FileChange(string Path, byte[] Content);

/// <summary>The seam to GitHub's REST API for one repository: only what the tool calls.</summary>
internal interface IRepositoryApi
{
    string Repository { get; }

    Task<string> GetDefaultBranchAsync(CancellationToken cancellationToken);

    /// <summary>The commit a branch points at, or null if there is no such branch.</summary>
    Task<string?> GetBranchHeadAsync(string branch, CancellationToken cancellationToken);

    /// <summary>A file's bytes at a commit, or null if it does not exist there.</summary>
    Task<byte[]?> GetFileAsync(string commitSha, string path, CancellationToken cancellationToken);

    /// <summary>Creates blobs, a tree on the parent's tree and a commit; returns the new commit's sha. No ref moves.</summary>
    Task<string> CreateCommitAsync(string parentSha, IReadOnlyList<FileChange> changes, string message, CancellationToken cancellationToken);

    /// <summary>Moves the branch to the commit without force; false when it is not a fast-forward (someone else committed).</summary>
    Task<bool> TryFastForwardAsync(string branch, string commitSha, CancellationToken cancellationToken);
}
