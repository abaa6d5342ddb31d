using System.IO.Enumeration;

namespace PolicyAction.State;

/// <summary>
/// The audit log's segments on disk (<see cref="AuditSegments"/>), listed lazily: the group folders at once (a few
/// names), the files of a group only when a reader reaches it, so a reader of the recent window lists the newest
/// group alone. Gaps are for the readers to judge: this only lists what is there (never through a symbolic link).
/// </summary>
internal sealed class SegmentIndex
{
    private readonly string _firstPath;
    private readonly int[] _groups;
    private readonly Dictionary<int, int[]> _members = [];
    private readonly (bool FirstExists, DateTime Folder, DateTime NewestGroup) _stamp;

    public SegmentIndex(string firstPath)
    {
        _firstPath = firstPath;
        var folder = AuditSegments.FolderOf(firstPath);
        _groups = Directory.Exists(folder)
            ? [.. new FileSystemEnumerable<int>(folder, (ref FileSystemEntry entry) => AuditSegments.TryGroupOfName(entry.FileName, out var group) ? group : -1)
                {
                    ShouldIncludePredicate = (ref FileSystemEntry entry) => entry.IsDirectory && !IsLink(ref entry),
                }.Where(group => group >= 0).Order()]
            : [];
        _stamp = Stamp();
    }

    /// <summary>
    /// Whether the folders still look as they did when listed (the first segment's presence, the times of last
    /// write of the segment folder and of the newest group): a new segment or group changes one of them.
    /// </summary>
    public bool IsCurrent() => Stamp() == _stamp;

    /// <summary>The newest segment on disk, or null when there is none.</summary>
    public AuditSegment? Newest => NewestFirst().FirstOrDefault();

    /// <summary>The segments newest first, listing each group's folder only when reached.</summary>
    public IEnumerable<AuditSegment> NewestFirst()
    {
        for (var g = _groups.Length - 1; g >= 0; g--)
        {
            var members = Members(_groups[g]);
            for (var i = members.Length - 1; i >= 0; i--)
            {
                yield return new AuditSegment(members[i], AuditSegments.FilePath(_firstPath, members[i]));
            }
        }

        if (_stamp.FirstExists)
        {
            yield return new AuditSegment(1, _firstPath);
        }
    }

    private int[] Members(int group)
    {
        if (!_members.TryGetValue(group, out var members))
        {
            var folder = AuditSegments.GroupFolder(_firstPath, group);
            members = Directory.Exists(folder)
                ? [.. new FileSystemEnumerable<int>(folder, (ref FileSystemEntry entry) => AuditSegments.TryNumberOfName(entry.FileName, out var number) ? number : -1)
                    {
                        ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && !IsLink(ref entry),
                    }.Where(number => number / AuditSegments.GroupSize == group).Order()]
                : [];
            _members[group] = members;
        }

        return members;
    }

    /// <summary>
    /// A symbolic link is never taken for a group or a segment (it could lead outside the workspace): a segment
    /// behind one is missing, which the readers report.
    /// </summary>
    private static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;

    private (bool, DateTime, DateTime) Stamp()
    {
        var folder = new DirectoryInfo(AuditSegments.FolderOf(_firstPath));
        var newestGroup = _groups.Length > 0 ? new DirectoryInfo(AuditSegments.GroupFolder(_firstPath, _groups[^1])) : null;
        return (File.Exists(_firstPath), folder.Exists ? folder.LastWriteTimeUtc : DateTime.MinValue, newestGroup is { Exists: true } ? newestGroup.LastWriteTimeUtc : DateTime.MinValue);
    }
}
