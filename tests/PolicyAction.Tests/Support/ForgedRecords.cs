using PolicyAction.State;

namespace PolicyAction.Tests.Support;

/// <summary>
/// Records written the way someone who edits the log writes them: correctly chained, but past the writer's checks
/// (a date the tool would refuse to append).
/// </summary>
internal static class ForgedRecords
{
    /// <summary>Appends the record, linked to the log's head, to the newest segment.</summary>
    public static void AppendChained(AuditLog log, AuditRecord record) =>
        File.AppendAllBytes(log.Newest().Path, AuditLog.Line(AuditChain.Link(record, log.Head())));

    /// <summary>Starts a new segment with the record, linked to the log's head.</summary>
    public static void StartSegmentWith(AuditLog log, AuditRecord record)
    {
        var next = AuditSegments.FilePath(log.Path, log.Newest().Number + 1);
        Directory.CreateDirectory(Path.GetDirectoryName(next)!);
        File.WriteAllBytes(next, AuditLog.Line(AuditChain.Link(record, log.Head())));
    }

    /// <summary>Lines written by hand (one JSON record each), linked into a chain as the tool would have written them.</summary>
    public static byte[] Chained(string lines) =>
        System.Text.Encoding.UTF8.GetBytes(string.Concat(AuditChain.Relink(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries), ChainHead.Genesis).Select(l => l + "\n")));
}
