using PolicyAction.Forge;
using PolicyAction.State;

namespace PolicyAction.SharedBranch;

/// <summary>What was committed: the commit, how many times the branch moved under us first, and the audit log's head there.</summary>
internal sealed record CommitOutcome(string CommitSha, int Retries, IReadOnlyList<string> Paths, ChainHead? Checkpoint);

/// <summary>
/// Commits the run's artifacts (audit log, undo records, reports) to a branch through the Git Data API:
/// blobs, tree, commit on the branch head, then a fast-forward ref update (never force). When the branch
/// moved, it re-reads, merges the append-only log, and tries again, a bounded number of times.
/// </summary>
internal sealed class ArtifactCommitter
{
    public const int MaxAttempts = BranchRace.MaxAttempts;

    private readonly IForge _api;
    private readonly WorkspacePaths _paths;
    private readonly BranchKnowledge _knowledge;

    public ArtifactCommitter(IForge api, WorkspacePaths paths, BranchKnowledge? knowledge = null)
    {
        _api = api;
        _paths = paths;
        _knowledge = knowledge ?? new BranchKnowledge();
    }

    /// <summary>The artifact files of a workspace and their bytes, taken before a run to see what it changed.</summary>
    public static Dictionary<string, byte[]> Snapshot(WorkspacePaths paths)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var full in paths.ArtifactFiles())
        {
            files[paths.Relative(full)] = File.ReadAllBytes(full);
        }

        return files;
    }

    /// <summary>Whether a log (the audit log or the alert history) gained records since the baseline.</summary>
    public static bool LogsChanged(Dictionary<string, byte[]> baseline, WorkspacePaths paths) =>
        Changed(baseline, paths.AuditLog, WorkspacePaths.AuditLogPath) || Changed(baseline, paths.AlertHistory, WorkspacePaths.AlertHistoryPath);

    private static bool Changed(Dictionary<string, byte[]> baseline, string full, string relative)
    {
        var now = File.Exists(full) ? File.ReadAllBytes(full) : null;
        var before = baseline.GetValueOrDefault(relative);
        return now is not null && (before is null || !before.AsSpan().SequenceEqual(now));
    }

    public async Task<CommitOutcome?> CommitAsync(Dictionary<string, byte[]> baseline, string branch, string message, CancellationToken cancellationToken)
    {
        var changed = Snapshot(_paths)
            .Where(file => !baseline.TryGetValue(file.Key, out var before) || !before.AsSpan().SequenceEqual(file.Value))
            .ToDictionary(file => file.Key, file => file.Value, StringComparer.Ordinal);
        if (changed.Count == 0)
        {
            return null;
        }

        // First from the tip this run's own earlier commit left (the reservation or a claim), without reading the branch.
        var fromKnown = _knowledge.Tip is not null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (attempt > 0 && !fromKnown)
            {
                await BranchRace.BackoffAsync(attempt - 1, cancellationToken).ConfigureAwait(false);
            }

            var head = fromKnown ? _knowledge.Tip! : await _api.GetBranchHeadAsync(branch, cancellationToken).ConfigureAwait(false)
                ?? throw new ForgeException($"branch {branch} does not exist in {_api.Repository}; set the commit-branch input to an existing branch");

            var changes = new List<FileChange>();
            foreach (var (path, content) in changed.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (WorkspacePaths.AppendOnly.Contains(path))
                {
                    var remote = (fromKnown ? _knowledge.File(path) : null)
                        ?? await _api.GetFileAsync(head.CommitSha, path, cancellationToken).ConfigureAwait(false);
                    changes.Add(new FileChange(path, AppendOnlyMerge.Merge(baseline.GetValueOrDefault(path), content, remote, chained: path == WorkspacePaths.AuditLogPath)));
                }
                else
                {
                    changes.Add(new FileChange(path, content));
                }
            }

            // The checkpoint is the head of the log as committed (merged and relinked), so it can be verified on the branch.
            var log = changes.FirstOrDefault(c => c.Path == WorkspacePaths.AuditLogPath);
            var checkpoint = log is null ? null : AuditChain.HeadOf(log.Content, $"{WorkspacePaths.AuditLogPath} as merged");
            var text = checkpoint is null ? message : $"{message.TrimEnd('\n')}\nAudit log checkpoint: {checkpoint}\n";
            var commit = await _api.CreateCommitAsync(head, changes, text, cancellationToken).ConfigureAwait(false);
            if (await _api.TryFastForwardAsync(branch, commit.CommitSha, cancellationToken).ConfigureAwait(false))
            {
                _knowledge.Landed(commit, fromKnown, changes);
                return new CommitOutcome(commit.CommitSha, attempt, changes.Select(c => c.Path).ToArray(), checkpoint);
            }

            fromKnown = false;
        }

        throw new ForgeException($"branch {branch} kept moving: {MaxAttempts} attempts to commit the artifacts lost the race. Nothing local was lost; re-run the job to commit them");
    }
}
