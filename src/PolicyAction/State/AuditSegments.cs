using System.Globalization;

namespace PolicyAction.State;

/// <summary>One segment of the audit log: its number (1 is the original single file) and its path.</summary>
internal sealed record AuditSegment(int Number, string Path);

/// <summary>
/// The audit log's layout in segments, so that a run's cost does not grow with the history: segment 1 is
/// <c>state/policy_response_log.jsonl</c> (the single file of earlier versions, kept as it is), segment
/// <c>n</c> ≥ 2 is <c>state/policy_response_log/GGG/NNNNNN.jsonl</c>, in groups of a thousand (<c>GGG</c> is
/// <c>n / 1000</c>), so that no folder holds more than a thousand files: listing the newest segments, and the tree
/// GitHub rewrites for each commit, stay small however long the history. Records are appended to the newest
/// segment while it is smaller than <see cref="SealAt"/>; a record that finds it at or over that size starts the
/// next segment, its first record linked to the previous segment's last, so the hash chain runs on unbroken. A
/// segment at or over the size is sealed and never written again: the rule depends only on the segment's own
/// bytes, so every writer that compares-and-swaps on the newest segment agrees where a record goes.
/// </summary>
internal static class AuditSegments
{
    /// <summary>
    /// The size at which a segment is sealed. Small enough that the reservation's write (the whole open segment,
    /// base64) and the commit's (inline in the tree) cost about what a young log's cost; large enough that a month
    /// at the busiest (10 applies a day) is some tens of segments.
    /// </summary>
    public const long SealAt = 64 * 1024;

    /// <summary>Segments per group folder.</summary>
    public const int GroupSize = 1000;

    /// <summary>Segment 1: the first segment, the audit log's path in earlier versions.</summary>
    public const string FirstPath = WorkspacePaths.AuditLogPath;

    /// <summary>The folder of segments 2 and later (in their group folders), beside the first.</summary>
    public const string FolderPath = "state/policy_response_log";

    private const string Extension = ".jsonl";
    private const int Digits = 6;
    private const int GroupDigits = 3;

    /// <summary>A segment's path in the repository (forward slashes).</summary>
    public static string RepositoryPath(int number) =>
        number switch
        {
            < 1 => throw new ArgumentOutOfRangeException(nameof(number), number, "segments are numbered from 1"),
            1 => FirstPath,
            _ => $"{FolderPath}/{GroupName(number / GroupSize)}/{FileName(number)}",
        };

    /// <summary>Whether a repository path is a segment of the audit log, and which (in its own group folder only).</summary>
    public static bool TryNumber(string repositoryPath, out int number)
    {
        number = 0;
        if (repositoryPath == FirstPath)
        {
            number = 1;
            return true;
        }

        if (!repositoryPath.StartsWith(FolderPath + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = repositoryPath.AsSpan(FolderPath.Length + 1);
        return rest.Length == GroupDigits + 1 + Digits + Extension.Length
            && rest[GroupDigits] == '/'
            && TryGroupOfName(rest[..GroupDigits], out var group)
            && TryNumberOfName(rest[(GroupDigits + 1)..], out number)
            && number / GroupSize == group;
    }

    public static bool IsSegment(string repositoryPath) => TryNumber(repositoryPath, out _);

    /// <summary>Whether a segment of this size takes no more records.</summary>
    public static bool IsSealed(long length, long sealAt = SealAt) => length >= sealAt;

    /// <summary>Every segment of the log whose first segment is <paramref name="firstPath"/>, oldest first (gaps possible).</summary>
    public static IReadOnlyList<AuditSegment> List(string firstPath) => [.. new SegmentIndex(firstPath).NewestFirst().Reverse()];

    /// <summary>The file of segment <paramref name="number"/> for the log whose first segment is <paramref name="firstPath"/>.</summary>
    public static string FilePath(string firstPath, int number) =>
        number == 1 ? firstPath : System.IO.Path.Combine(FolderOf(firstPath), GroupName(number / GroupSize), FileName(number));

    /// <summary>The folder of later segments' group folders: the first segment's path without its extension.</summary>
    public static string FolderOf(string firstPath) =>
        firstPath.EndsWith(Extension, StringComparison.Ordinal) ? firstPath[..^Extension.Length] : firstPath + ".d";

    /// <summary>The folder of group <paramref name="group"/> (segments <c>group × 1000</c> to <c>group × 1000 + 999</c>).</summary>
    public static string GroupFolder(string firstPath, int group) => System.IO.Path.Combine(FolderOf(firstPath), GroupName(group));

    /// <summary>Whether a folder name is a group's (three digits).</summary>
    public static bool TryGroupOfName(ReadOnlySpan<char> name, out int group)
    {
        group = 0;
        return name.Length == GroupDigits && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out group);
    }

    /// <summary>Whether a file name is a segment's (six digits, <c>.jsonl</c>, number 2 or more).</summary>
    public static bool TryNumberOfName(ReadOnlySpan<char> name, out int number)
    {
        number = 0;
        return name.Length == Digits + Extension.Length
            && name.EndsWith(Extension, StringComparison.Ordinal)
            && int.TryParse(name[..Digits], NumberStyles.None, CultureInfo.InvariantCulture, out number)
            && number >= 2;
    }

    private static string GroupName(int group) => group.ToString($"D{GroupDigits}", CultureInfo.InvariantCulture);

    private static string FileName(int number) => number.ToString($"D{Digits}", CultureInfo.InvariantCulture) + Extension;
}

/// <summary>The records of the audit log from segment <paramref name="FromSegment"/> on, as another copy (the shared branch) holds them.</summary>
internal sealed record LogTail(IReadOnlyList<AuditRecord> Records, int FromSegment);

/// <summary>
/// The shared branch as a reservation reads it on one attempt: its audit log from the checkout's segment on, and the
/// safety brake and trust lock at its tip (the defaults when absent there), which may be newer than the job's checkout.
/// </summary>
internal sealed record BranchState(LogTail Log, SafetyBrakeState Brake, TrustLockState Trust);
