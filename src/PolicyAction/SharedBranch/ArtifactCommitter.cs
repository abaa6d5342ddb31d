using PolicyAction.Forge;
using PolicyAction.State;

namespace PolicyAction.SharedBranch;

/// <summary>What was committed: the commit, how many times the branch moved under us first, and the audit log's head there.</summary>
internal sealed record CommitOutcome(string CommitSha, int Retries, IReadOnlyList<string> Paths, ChainHead? Checkpoint, string? CheckpointSegment = null);

/// <summary>
/// Commits the run's artifacts (audit log, undo records, reports) to a branch through the Git Data API:
/// blobs, tree, commit on the branch head, then a fast-forward ref update (never force). When the branch
/// moved, it re-reads, merges the append-only log, and tries again, a bounded number of times.
/// </summary>
internal sealed class ArtifactCommitter
{
    public const int MaxAttempts = BranchRace.MaxAttempts;

    /// <summary>More than any artifact the tool writes (an open segment is 64 KiB; the alert history grows slowly).</summary>
    public const long MaxArtifactBytes = 64L * 1024 * 1024;

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
    /// <param name="fromSegment">The oldest audit log segment to take (default: the newest on disk).</param>
    /// <param name="admit">Which paths to take (default: all); the others are not even opened.</param>
    public static Dictionary<string, byte[]> Snapshot(WorkspacePaths paths, int? fromSegment = null, Func<string, bool>? admit = null)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var full in paths.ArtifactFiles(fromSegment))
        {
            var relative = paths.Relative(full);
            if (admit is null || admit(relative))
            {
                // Read beneath the workspace as a regular file at its own name: a link, a FIFO or a device in its place
                // (or on the way, as state/ or reports/) fails the run naming it instead of being followed.
                if (BeneathWorkspace.Read(paths.Root, full, MaxArtifactBytes, relative) is { } content)
                {
                    files[relative] = content.Bytes;
                }
            }
        }

        return files;
    }

    /// <summary>Whether a log (the audit log or the alert history) gained records since the baseline.</summary>
    public static bool LogsChanged(Dictionary<string, byte[]> baseline, WorkspacePaths paths) =>
        Changed(baseline, paths, WorkspacePaths.IsAppendOnly).Count > 0;

    /// <summary>The audit log segment a baseline starts from: the newest it holds (1 when it holds none).</summary>
    public static int FromSegment(IReadOnlyDictionary<string, byte[]> baseline) =>
        baseline.Keys.Select(path => AuditSegments.TryNumber(path, out var number) ? number : 0).DefaultIfEmpty(0).Max() is var newest and > 0 ? newest : 1;

    /// <summary>The artifact files that differ from the baseline now, with their bytes.</summary>
    public static Dictionary<string, byte[]> Changed(Dictionary<string, byte[]> baseline, WorkspacePaths paths, Func<string, bool>? admit = null) =>
        Snapshot(paths, FromSegment(baseline), admit)
            .Where(file => !baseline.TryGetValue(file.Key, out var before) || !before.AsSpan().SequenceEqual(file.Value))
            .ToDictionary(file => file.Key, file => file.Value, StringComparer.Ordinal);

    /// <param name="admit">Which changed paths may be committed (default: all); the others are not even read.</param>
    /// <param name="verify">A reason to refuse a file's bytes (the run then fails closed, naming it), or null.</param>
    /// <param name="guardBaseline">
    /// Which changed files that are overwritten rather than merged must still hold the baseline's bytes on the branch (a
    /// control command's brake, trust or undo file, an evaluation's level file, decided on the state it read): when the
    /// branch changed one meanwhile, nothing is committed and <see cref="BranchStateMovedException"/> says so, instead
    /// of overwriting the newer state. Null: none.
    /// </param>
    public async Task<CommitOutcome?> CommitAsync(Dictionary<string, byte[]> baseline, string branch, string message, CancellationToken cancellationToken, Func<string, bool>? admit = null, Func<string, byte[], string?>? verify = null, Func<string, bool>? guardBaseline = null)
    {
        var changed = Changed(baseline, _paths, admit);
        foreach (var (path, content) in changed)
        {
            if (verify?.Invoke(path, content) is { } refusal)
            {
                throw new StateFileException(path, refusal);
            }
        }

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
            foreach (var (path, content) in changed.Where(c => !AuditSegments.IsSegment(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (WorkspacePaths.IsAppendOnly(path))
                {
                    changes.Add(new FileChange(path, AppendOnlyMerge.Merge(baseline.GetValueOrDefault(path), content, await RemoteAsync(path).ConfigureAwait(false))));
                }
                else
                {
                    if (guardBaseline?.Invoke(path) == true && !SameBytes(await RemoteAsync(path).ConfigureAwait(false), baseline.GetValueOrDefault(path)))
                    {
                        throw new BranchStateMovedException(path, branch);
                    }

                    changes.Add(new FileChange(path, content));
                }
            }

            async Task<byte[]?> RemoteAsync(string path) =>
                (fromKnown ? _knowledge.File(path) : null) ?? await _api.GetFileAsync(head.CommitSha, path, cancellationToken).ConfigureAwait(false);

            var segments = changed.Where(c => AuditSegments.IsSegment(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
            var log = await AuditLogMerge.MergeAsync(segments, baseline, number => RemoteSegmentAsync(head, fromKnown, number, cancellationToken)).ConfigureAwait(false);
            changes.AddRange(log);
            if (changes.Count == 0)
            {
                // The branch already holds every record this run added (its reservation, or an earlier try, landed them).
                return null;
            }

            // The checkpoint is the head of the log as committed (merged and relinked), so it can be verified on the branch.
            var checkpoint = log.Count == 0 ? null : AuditChain.HeadOf(log[^1].Content, $"{log[^1].Path} as merged");
            var text = checkpoint is null ? message : $"{message.TrimEnd('\n')}\nAudit log checkpoint: {checkpoint} ({log[^1].Path})\n";
            var commit = await _api.CreateCommitAsync(head, changes, text, cancellationToken).ConfigureAwait(false);
            if (await _api.TryFastForwardAsync(branch, commit.CommitSha, cancellationToken).ConfigureAwait(false))
            {
                _knowledge.Landed(commit, fromKnown, changes);
                return new CommitOutcome(commit.CommitSha, attempt, changes.Select(c => c.Path).ToArray(), checkpoint, checkpoint is null ? null : log[^1].Path);
            }

            fromKnown = false;
        }

        throw new ForgeException($"branch {branch} kept moving: {MaxAttempts} attempts to commit the artifacts lost the race. Nothing local was lost; re-run the job to commit them");
    }

    /// <summary>Both absent, or both present with the same bytes.</summary>
    private static bool SameBytes(byte[]? left, byte[]? right) =>
        left is null ? right is null : right is not null && left.AsSpan().SequenceEqual(right);

    /// <summary>
    /// An audit log segment at the commit's base. On the tip this run's own write left, a segment it wrote is known,
    /// and one after the newest it wrote cannot be there (a segment starts only once the one before it is sealed,
    /// and this run wrote that one last); anything else is read.
    /// </summary>
    private async Task<byte[]?> RemoteSegmentAsync(BranchTip head, bool fromKnown, int number, CancellationToken cancellationToken)
    {
        var path = AuditSegments.RepositoryPath(number);
        if (fromKnown)
        {
            if (_knowledge.File(path) is { } known)
            {
                return known;
            }

            var newestWritten = _knowledge.Paths.Select(p => AuditSegments.TryNumber(p, out var n) ? n : 0).DefaultIfEmpty(0).Max();
            if (newestWritten > 0 && number > newestWritten)
            {
                return null;
            }
        }

        return await _api.GetFileAsync(head.CommitSha, path, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The branch changed a file this commit would overwrite after the run read it: nothing was committed.</summary>
internal sealed class BranchStateMovedException(string path, string branch)
    : ForgeException($"{path} changed on {branch} after this run read it (another run changed it meanwhile); nothing was committed")
{
    public string Path { get; } = path;
}
