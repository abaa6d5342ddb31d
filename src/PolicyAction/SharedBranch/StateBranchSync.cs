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
/// alert history, and the audit log's segments from the newest back to the first one the workspace already has
/// (sealed segments never change) or to the first one older than the longest window any reader reads. A branch
/// that does not exist yet is created from the default branch's tip.
/// </summary>
internal sealed class StateBranchSync(IForge forge, WorkspacePaths paths, DateTimeOffset now, Action<string> log)
{
    /// <summary>How far back readers read (alerts, status, the trigger check: 31 days) and the ordering allowance.</summary>
    public static readonly TimeSpan Reach = TimeSpan.FromDays(31) + AuditLog.OrderingSlack;

    /// <summary>The state files other than the audit log, by repository path.</summary>
    public static readonly IReadOnlyList<string> StateFiles =
    [
        "state/policy_state.json",
        "state/trust_lock_state.json",
        "forensics/safety_brake_state.json",
        "state/policy_response_preview.json",
        "reports/policy_response_blocked.json",
        "reports/policy_orchestration_alerts.json",
        WorkspacePaths.AlertHistoryPath,
    ];

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
        foreach (var path in StateFiles)
        {
            await MirrorAsync(path, await EntryAsync(path, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        await MirrorLogAsync(cancellationToken).ConfigureAwait(false);
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
    /// The audit log's segments newest first: each that differs is fetched, down to the first the workspace already
    /// has as the branch does, or the first that starts before the readers' reach. Segments the workspace has
    /// beyond the branch's newest are removed: they are not the branch's records.
    /// </summary>
    private async Task MirrorLogAsync(CancellationToken cancellationToken)
    {
        var remote = await RemoteSegmentsNewestFirstAsync(cancellationToken).ConfigureAwait(false);
        var newestRemote = remote.Count > 0 ? remote[0].Number : 0;
        foreach (var local in new SegmentIndex(paths.AuditLog).NewestFirst().TakeWhile(s => s.Number > newestRemote))
        {
            File.Delete(local.Path);
            _removed.Add(AuditSegments.RepositoryPath(local.Number));
        }

        foreach (var (number, entry) in remote)
        {
            var path = AuditSegments.RepositoryPath(number);
            var full = paths.ResolveConfined(path);
            if (File.Exists(full) && GitBlob.Sha(File.ReadAllBytes(full)) == entry.Sha)
            {
                return;
            }

            var bytes = await forge.GetBlobAsync(entry.Sha, cancellationToken).ConfigureAwait(false);
            Write(path, full, bytes);
            if (StartsBefore(bytes, now - Reach))
            {
                return;
            }
        }
    }

    /// <summary>The branch's segments, newest first, listing older group folders only as the walk reaches them.</summary>
    private async Task<List<(int Number, TreeEntryInfo Entry)>> RemoteSegmentsNewestFirstAsync(CancellationToken cancellationToken)
    {
        var segments = new List<(int, TreeEntryInfo)>();
        var groups = (await FolderAsync(AuditSegments.FolderPath, cancellationToken).ConfigureAwait(false)).Values
            .Where(e => e.IsFolder && AuditSegments.TryGroupOfName(e.Name, out _))
            .OrderByDescending(e => e.Name, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var files = await FolderAsync($"{AuditSegments.FolderPath}/{group.Name}", cancellationToken).ConfigureAwait(false);
            segments.AddRange(files.Values
                .Select(e => (Entry: e, Path: $"{AuditSegments.FolderPath}/{group.Name}/{e.Name}"))
                .Where(f => f.Entry.IsFile && AuditSegments.TryNumber(f.Path, out _))
                .Select(f => (AuditSegments.TryNumber(f.Path, out var n) ? n : 0, f.Entry))
                .OrderByDescending(f => f.Item1));
        }

        if (await EntryAsync(AuditSegments.FirstPath, cancellationToken).ConfigureAwait(false) is { IsFile: true } first)
        {
            segments.Add((1, first));
        }

        return segments;
    }

    private static bool StartsBefore(byte[] segment, DateTimeOffset time)
    {
        var end = Array.IndexOf(segment, (byte)'\n');
        return RecordKind.TryRead(end < 0 ? segment : segment.AsSpan(0, end), out var first) && first.Timestamp < time;
    }

    private async Task MirrorAsync(string path, TreeEntryInfo? entry, CancellationToken cancellationToken)
    {
        var full = paths.ResolveConfined(path);
        if (entry is not { IsFile: true })
        {
            if (File.Exists(full))
            {
                File.Delete(full);
                _removed.Add(path);
            }

            return;
        }

        if (File.Exists(full) && GitBlob.Sha(File.ReadAllBytes(full)) == entry.Sha)
        {
            return;
        }

        Write(path, full, await forge.GetBlobAsync(entry.Sha, cancellationToken).ConfigureAwait(false));
    }

    private void Write(string path, string full, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.WriteAllBytes(full, bytes);
        _updated.Add(path);
    }

    /// <summary>The tree entry at a repository path on the branch, or null.</summary>
    private async Task<TreeEntryInfo?> EntryAsync(string path, CancellationToken cancellationToken)
    {
        var slash = path.LastIndexOf('/');
        var folder = await FolderAsync(slash < 0 ? string.Empty : path[..slash], cancellationToken).ConfigureAwait(false);
        return folder.GetValueOrDefault(path[(slash + 1)..]);
    }

    /// <summary>A folder's entries on the branch (empty when there is no such folder), each folder read once.</summary>
    private async Task<IReadOnlyDictionary<string, TreeEntryInfo>> FolderAsync(string path, CancellationToken cancellationToken)
    {
        if (_folders.TryGetValue(path, out var known))
        {
            return known;
        }

        IReadOnlyDictionary<string, TreeEntryInfo> entries = new Dictionary<string, TreeEntryInfo>(StringComparer.Ordinal);
        string? sha = path.Length == 0 ? _root : null;
        if (sha is null)
        {
            var slash = path.LastIndexOf('/');
            var parent = await FolderAsync(slash < 0 ? string.Empty : path[..slash], cancellationToken).ConfigureAwait(false);
            sha = parent.GetValueOrDefault(path[(slash + 1)..]) is { IsFolder: true } folder ? folder.Sha : null;
        }

        if (sha is not null && await forge.GetTreeAsync(sha, cancellationToken).ConfigureAwait(false) is { } listed)
        {
            entries = listed.ToDictionary(e => e.Name, StringComparer.Ordinal);
        }

        _folders[path] = entries;
        return entries;
    }
}
