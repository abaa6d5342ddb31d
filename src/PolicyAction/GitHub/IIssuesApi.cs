namespace PolicyAction.GitHub;

/// <summary>An issue as the alert checker sees it; <paramref name="UpdatedAt"/> moves with every comment.</summary>
internal sealed record IssueInfo(int Number, bool Open, string? Body, string Url, DateTimeOffset? ClosedAt, DateTimeOffset UpdatedAt);

/// <summary>The seam to GitHub's issues and branches for the alert checker.</summary>
internal interface IIssuesApi
{
    /// <summary>Issues (open and closed, newest first) that carry the label; pull requests are left out.</summary>
    Task<IReadOnlyList<IssueInfo>> ListIssuesAsync(string label, CancellationToken cancellationToken);

    Task<IssueInfo> CreateIssueAsync(string title, string body, IReadOnlyList<string> labels, IReadOnlyList<string> assignees, CancellationToken cancellationToken);

    /// <summary>Opens or closes an issue; false when it no longer exists (deleted: 410, or 404).</summary>
    Task<bool> SetIssueOpenAsync(int number, bool open, CancellationToken cancellationToken);

    /// <summary>Comments on an issue; false when it no longer exists (deleted: 410, or 404).</summary>
    Task<bool> AddCommentAsync(int number, string body, CancellationToken cancellationToken);

    /// <summary>Branch names under a prefix (e.g. <c>fix/</c>).</summary>
    Task<IReadOnlyList<string>> ListBranchesAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Creates a branch at a commit; false when it already exists (it is then reused, never moved).</summary>
    Task<bool> CreateBranchAsync(string name, string commitSha, CancellationToken cancellationToken);
}
