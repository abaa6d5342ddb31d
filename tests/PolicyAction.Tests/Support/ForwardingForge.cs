using PolicyAction.Forge;

namespace PolicyAction.Tests.Support;

/// <summary>A forge that passes every call to another; tests derive from it to step in on one call (a race, a fault).</summary>
internal class ForwardingForge(IForge inner) : IForge
{
    public string Repository => inner.Repository;

    public virtual Task<string> GetDefaultBranchAsync(CancellationToken cancellationToken) => inner.GetDefaultBranchAsync(cancellationToken);

    public virtual Task<BranchTip?> GetBranchHeadAsync(string branch, CancellationToken cancellationToken) => inner.GetBranchHeadAsync(branch, cancellationToken);

    public virtual Task<IReadOnlyList<TreeEntryInfo>?> GetTreeAsync(string treeSha, CancellationToken cancellationToken) => inner.GetTreeAsync(treeSha, cancellationToken);

    public virtual Task<byte[]> GetBlobAsync(string blobSha, CancellationToken cancellationToken) => inner.GetBlobAsync(blobSha, cancellationToken);

    public virtual Task<byte[]?> GetFileAsync(string commitSha, string path, CancellationToken cancellationToken) => inner.GetFileAsync(commitSha, path, cancellationToken);

    public virtual Task<BranchFile> GetFileOnBranchAsync(string branch, string path, CancellationToken cancellationToken) => inner.GetFileOnBranchAsync(branch, path, cancellationToken);

    public virtual Task<BranchTip?> TryPutFileAsync(string branch, string path, string? expectedBlobSha, byte[] content, string message, CancellationToken cancellationToken) =>
        inner.TryPutFileAsync(branch, path, expectedBlobSha, content, message, cancellationToken);

    public virtual Task<BranchTip> CreateCommitAsync(BranchTip parent, IReadOnlyList<FileChange> changes, string message, CancellationToken cancellationToken) =>
        inner.CreateCommitAsync(parent, changes, message, cancellationToken);

    public virtual Task<bool> TryFastForwardAsync(string branch, string commitSha, CancellationToken cancellationToken) => inner.TryFastForwardAsync(branch, commitSha, cancellationToken);

    public virtual Task<IReadOnlyList<IssueInfo>> ListIssuesAsync(string label, CancellationToken cancellationToken) => inner.ListIssuesAsync(label, cancellationToken);

    public virtual Task<IssueInfo?> GetIssueAsync(int number, CancellationToken cancellationToken) => inner.GetIssueAsync(number, cancellationToken);

    public virtual Task<IssueInfo> CreateIssueAsync(string title, string body, IReadOnlyList<string> labels, IReadOnlyList<string> assignees, CancellationToken cancellationToken) =>
        inner.CreateIssueAsync(title, body, labels, assignees, cancellationToken);

    public virtual Task<bool> SetIssueOpenAsync(int number, bool open, CancellationToken cancellationToken) => inner.SetIssueOpenAsync(number, open, cancellationToken);

    public virtual Task<bool> AddCommentAsync(int number, string body, CancellationToken cancellationToken) => inner.AddCommentAsync(number, body, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListBranchesAsync(string prefix, CancellationToken cancellationToken) => inner.ListBranchesAsync(prefix, cancellationToken);

    public virtual Task<bool> CreateBranchAsync(string name, string commitSha, CancellationToken cancellationToken) => inner.CreateBranchAsync(name, commitSha, cancellationToken);

    public virtual Task<Listing<WorkflowRunInfo>> ListWorkflowRunsAsync(string workflow, DateTimeOffset createdSince, string? branch, CancellationToken cancellationToken) =>
        inner.ListWorkflowRunsAsync(workflow, createdSince, branch, cancellationToken);

    public virtual Task<Listing<SecurityAlertInfo>> ListOpenAlertsAsync(SecurityAlertKind kind, CancellationToken cancellationToken) => inner.ListOpenAlertsAsync(kind, cancellationToken);

    public virtual Task<Listing<CheckRunInfo>> ListCheckRunsAsync(string reference, CancellationToken cancellationToken) => inner.ListCheckRunsAsync(reference, cancellationToken);

    public virtual Task<Listing<CommitStatusInfo>> GetCombinedStatusAsync(string reference, CancellationToken cancellationToken) => inner.GetCombinedStatusAsync(reference, cancellationToken);

    public virtual Task<Listing<IssueInfo>> ListOpenIssuesAsync(string label, CancellationToken cancellationToken) => inner.ListOpenIssuesAsync(label, cancellationToken);
}
