using PolicyAction.Forge;
using PolicyAction.State;

namespace PolicyAction.SharedBranch;

/// <summary>What reading the state from the state branch did.</summary>
/// <param name="Tip">The branch's tip the workspace's state now matches.</param>
/// <param name="Created">Whether the branch was created (from the default branch) by this run.</param>
/// <param name="Updated">The files written into the workspace from the branch (repository paths).</param>
/// <param name="Removed">The files removed from the workspace because the branch has none.</param>
internal sealed record StateBranchRead(BranchTip Tip, bool Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Removed);

/// <summary>
/// With a state branch (the commit-branch input naming a branch other than the one checked out), the state lives
/// there, not in the checkout: before any stage reads it, the workspace's state files are made the branch's, so the
/// gates, the alerts, the trigger's re-run check and the reservation all see what the branch holds. Only what
/// differs is fetched (by blob id, folder by folder through the Git Data API): the state files, the reports, the
/// alert history, and the audit log's segments from the newest back to the first one that starts before the
/// longest window any reader reads (31 days). Anything on the branch the tool cannot take for what it should be
/// (a link or submodule where a state file belongs, a missing segment, a tree GitHub cannot find) fails closed. A
/// branch that does not exist yet is created from the default branch's tip.
/// </summary>
internal sealed class StateBranchSync(IForge forge, WorkspacePaths paths, DateTimeOffset now, Action<string> log)
{
    /// <summary>How far back readers read (alerts, status, the trigger check: 31 days) and the ordering allowance.</summary>
    public static readonly TimeSpan Reach = TimeSpan.FromDays(31) + AuditLog.OrderingSlack;

    /// <summary>
    /// Repository paths read from the branch besides the state files (as they are: absent there, removed here), for a
    /// command that needs one more, as undo needs its response's undo record.
    /// </summary>
    public IReadOnlyList<string> AlsoFiles { get; init; } = [];

    /// <summary>The state files other than the audit log, by repository path (named once, in <see cref="WorkspacePaths"/>).</summary>
    private IEnumerable<string> StateFiles() =>
        new[] { paths.PolicyState, paths.TrustLockState, paths.SafetyBrakeState, paths.Preview, paths.BlockedReport, paths.AlertReport, paths.AlertHistory }
            .Select(paths.Relative)
            .Concat(AlsoFiles);

    private readonly Dictionary<string, IReadOnlyDictionary<string, TreeEntryInfo>> _folders = new(StringComparer.Ordinal);
    private readonly List<string> _updated = [];
    private readonly List<string> _removed = [];
    private string _root = string.Empty;

    public async Task<StateBranchRead> ReadAsync(string branch, Func<CancellationToken, Task<string>> defaultBranch, CancellationToken cancellationToken)
    {
        var created = false;
        var tip = await forge.GetBranchHeadAsync(branch, cancellationToken).ConfigureAwait(false);
        if (tip is null)
        {
            var from = await defaultBranch(cancellationToken).ConfigureAwait(false);
            var source = await forge.GetBranchHeadAsync(from, cancellationToken).ConfigureAwait(false)
                ?? throw new ForgeException($"cannot create the state branch {branch}: the default branch {from} does not exist in {forge.Repository}");

            // False: another run created it meanwhile; its tip is then read again below.
            created = await forge.CreateBranchAsync(branch, source.CommitSha, cancellationToken).ConfigureAwait(false);
            tip = created ? source : await forge.GetBranchHeadAsync(branch, cancellationToken).ConfigureAwait(false)
                ?? throw new ForgeException($"the state branch {branch} could not be created in {forge.Repository}");
            if (created)
            {
                log($"created the state branch {branch} from {from} at {source.CommitSha[..7]}");
            }
        }

        _root = tip.TreeSha;
        foreach (var path in StateFiles())
        {
            await MirrorAsync(branch, path, await EntryAsync(path, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        await MirrorLogAsync(branch, cancellationToken).ConfigureAwait(false);
        log(_updated.Count + _removed.Count == 0
            ? $"state read from {branch} at {tip.CommitSha[..7]}: the workspace already had it"
            : $"state read from {branch} at {tip.CommitSha[..7]}: {Describe()}");
        return new StateBranchRead(tip, created, _updated, _removed);
    }

    private string Describe()
    {
        var parts = new List<string>();
        if (_updated.Count > 0)
        {
            parts.Add($"{_updated.Count} file(s) updated ({string.Join(", ", _updated.Take(8))}{(_updated.Count > 8 ? ", …" : string.Empty)})");
        }

        if (_removed.Count > 0)
        {
            parts.Add($"{_removed.Count} removed, as the branch has none ({string.Join(", ", _removed.Take(8))}{(_removed.Count > 8 ? ", …" : string.Empty)})");
        }

        return string.Join("; ", parts);
    }

    /// <summary>
    /// The audit log's segments newest first, down to the first that starts before the readers' reach and one more: each that
    /// differs from the workspace's (by blob id; the local ones are hashed, not fetched) is fetched. The whole reach
    /// is compared every time, so a sync cut short (a failed request) is repaired by the next. Segments the workspace
    /// has beyond the branch's newest are removed: they are not the branch's records. A segment missing on the
    /// branch within the reach fails closed.
    /// </summary>
    private async Task MirrorLogAsync(string branch, CancellationToken cancellationToken)
    {
        int? newer = null;
        var reachedAlready = false;
        await foreach (var (number, entry) in RemoteSegmentsNewestFirstAsync(branch, cancellationToken).ConfigureAwait(false))
        {
            if (newer is null)
            {
                RemoveLocalBeyond(number);
            }
            else if (number != newer - 1)
            {
                throw new ForgeException($"the audit log on {branch} lacks segment {newer - 1} ({AuditSegments.RepositoryPath(newer.Value - 1)}): its records cannot be read; restore it from the branch's history");
            }

            newer = number;
            var path = AuditSegments.RepositoryPath(number);
            var full = paths.ResolveConfined(path);
            var bytes = Local(path, full);
            if (bytes is null || GitBlob.Sha(bytes) != entry.Sha)
            {
                bytes = await forge.GetBlobAsync(entry.Sha, cancellationToken).ConfigureAwait(false);
                Write(path, full, bytes);
            }

            // The readers look at one segment beyond the one their window ends in (the record before a back-dated
            // one), so that one is mirrored too.
            if (reachedAlready)
            {
                return;
            }

            reachedAlready = StartsBefore(bytes, now - Reach);
        }

        if (newer is null)
        {
            RemoveLocalBeyond(0);
        }
        else if (newer != 1)
        {
            throw new ForgeException($"the audit log on {branch} lacks segment {newer - 1} ({AuditSegments.RepositoryPath(newer.Value - 1)}): its records cannot be read; restore it from the branch's history");
        }
    }

    private void RemoveLocalBeyond(int newestOnBranch)
    {
        foreach (var local in new SegmentIndex(paths.AuditLog).NewestFirst().TakeWhile(s => s.Number > newestOnBranch).ToList())
        {
            var path = AuditSegments.RepositoryPath(local.Number);
            BeneathWorkspace.Delete(paths.Root, paths.ResolveConfined(path), path);
            _removed.Add(path);
        }
    }

    /// <summary>The branch's segments, newest first, listing each group folder only as the walk reaches it.</summary>
    private async IAsyncEnumerable<(int Number, TreeEntryInfo Entry)> RemoteSegmentsNewestFirstAsync(string branch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = await FolderAsync(AuditSegments.FolderPath, cancellationToken).ConfigureAwait(false);
        var groups = new List<TreeEntryInfo>();
        foreach (var entry in folder.Values.Where(e => AuditSegments.TryGroupOfName(e.Name, out _)))
        {
            groups.Add(entry.IsFolder ? entry : throw NotWhatItShouldBe(branch, $"{AuditSegments.FolderPath}/{entry.Name}", entry, "a folder"));
        }

        foreach (var group in groups.OrderByDescending(e => e.Name, StringComparer.Ordinal))
        {
            var files = await FolderAsync($"{AuditSegments.FolderPath}/{group.Name}", cancellationToken).ConfigureAwait(false);
            var segments = new List<(int, TreeEntryInfo)>();
            foreach (var entry in files.Values)
            {
                var path = $"{AuditSegments.FolderPath}/{group.Name}/{entry.Name}";
                if (AuditSegments.TryNumber(path, out var number))
                {
                    segments.Add((number, entry.IsFile ? entry : throw NotWhatItShouldBe(branch, path, entry, "a regular file")));
                }
            }

            foreach (var segment in segments.OrderByDescending(s => s.Item1))
            {
                yield return segment;
            }
        }

        if (await EntryAsync(AuditSegments.FirstPath, cancellationToken).ConfigureAwait(false) is { } first)
        {
            yield return (1, first.IsFile ? first : throw NotWhatItShouldBe(branch, AuditSegments.FirstPath, first, "a regular file"));
        }
    }

    private static ForgeException NotWhatItShouldBe(string branch, string path, TreeEntryInfo entry, string expected) =>
        new($"{path} on {branch} is not {expected} (a {entry.Type}, mode {entry.Mode}); the state cannot be read from the branch");

    private static bool StartsBefore(byte[] segment, DateTimeOffset time)
    {
        var end = Array.IndexOf(segment, (byte)'\n');
        return RecordKind.TryRead(end < 0 ? segment : segment.AsSpan(0, end), out var first) && first.Timestamp < time;
    }

    private async Task MirrorAsync(string branch, string path, TreeEntryInfo? entry, CancellationToken cancellationToken)
    {
        var full = paths.ResolveConfined(path);
        if (entry is null)
        {
            if (BeneathWorkspace.Stat(paths.Root, full, path).Kind != EntryKind.Missing)
            {
                BeneathWorkspace.Delete(paths.Root, full, path);
                _removed.Add(path);
            }

            return;
        }

        if (!entry.IsFile)
        {
            throw NotWhatItShouldBe(branch, path, entry, "a regular file");
        }

        if (Local(path, full) is { } local && GitBlob.Sha(local) == entry.Sha)
        {
            return;
        }

        Write(path, full, await forge.GetBlobAsync(entry.Sha, cancellationToken).ConfigureAwait(false));
    }

    private void Write(string path, string full, byte[] bytes)
    {
        AtomicFile.WriteAllBytes(paths.Root, full, bytes);
        _updated.Add(path);
    }

    /// <summary>The workspace's copy, read beneath it as a regular file (a link or a FIFO there is refused, naming it), or null.</summary>
    private byte[]? Local(string path, string full) => BeneathWorkspace.Read(paths.Root, full, ArtifactCommitter.MaxArtifactBytes, path)?.Bytes;

    /// <summary>The tree entry at a repository path on the branch, or null.</summary>
    private async Task<TreeEntryInfo?> EntryAsync(string path, CancellationToken cancellationToken)
    {
        var slash = path.LastIndexOf('/');
        var folder = await FolderAsync(slash < 0 ? string.Empty : path[..slash], cancellationToken).ConfigureAwait(false);
        return folder.GetValueOrDefault(path[(slash + 1)..]);
    }

    /// <summary>
    /// A folder's entries on the branch, each folder read once: empty when its parent has no such name; a name that
    /// is not a folder, a tree GitHub cannot find though its parent names it, or a tree with a name twice fails closed.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, TreeEntryInfo>> FolderAsync(string path, CancellationToken cancellationToken)
    {
        if (_folders.TryGetValue(path, out var known))
        {
            return known;
        }

        var entries = new Dictionary<string, TreeEntryInfo>(StringComparer.Ordinal);
        string? sha = path.Length == 0 ? _root : null;
        if (sha is null)
        {
            var slash = path.LastIndexOf('/');
            var parent = await FolderAsync(slash < 0 ? string.Empty : path[..slash], cancellationToken).ConfigureAwait(false);
            if (parent.GetValueOrDefault(path[(slash + 1)..]) is { } entry)
            {
                sha = entry.IsFolder ? entry.Sha : throw new ForgeException($"{path} on the state branch is not a folder (a {entry.Type}); the state cannot be read from the branch");
            }
        }

        if (sha is not null)
        {
            var listed = await forge.GetTreeAsync(sha, cancellationToken).ConfigureAwait(false)
                ?? throw new ForgeException($"GitHub has no tree {sha} for {(path.Length == 0 ? "the root" : path)} on the state branch, though the branch names it; the state cannot be read");
            foreach (var entry in listed)
            {
                if (!entries.TryAdd(entry.Name, entry))
                {
                    throw new ForgeException($"{(path.Length == 0 ? "the root" : path)} on the state branch holds '{entry.Name}' twice; the state cannot be read");
                }
            }
        }

        _folders[path] = entries;
        return entries;
    }
}
