using System.Security.Cryptography;

namespace PolicyAction.State;

/// <summary>
/// A run of consecutive audit records a reader has checked, in whichever direction it read them: each record links
/// to the one before it (its <c>seq</c> follows that one's and its <c>prev</c> is the SHA-256 of that one's line),
/// and none is dated more than <see cref="AuditLog.OrderingSlack"/> before a record written earlier. The writer
/// refuses to break the second (<see cref="AuditLog.Append"/>), so a break is an edit, a forged record or a clock far
/// behind; windowed readers stop at the first record older than their window, and one back-dated record would
/// otherwise hide everything before it. A break fails closed (exit 2), naming the records.
/// </summary>
internal sealed class ChainSpan(string name)
{
    private Link? _newest;
    private Link? _oldest;
    private Link? _earliest;
    private Link? _latest;

    /// <summary>Whether no record has been taken.</summary>
    public bool IsEmpty => _newest is null;

    /// <summary>Takes the record before the oldest one taken (a reader going back from the end).</summary>
    public void TakeOlder(ReadOnlySpan<byte> line, in ChainFields fields) => JoinOlder(Single(line, fields));

    /// <summary>Takes the record after the newest one taken (a reader going forward).</summary>
    public void TakeNewer(ReadOnlySpan<byte> line, in ChainFields fields)
    {
        var record = Single(line, fields);
        record.JoinOlder(this);
        (_newest, _oldest, _earliest, _latest) = (record._newest, record._oldest, record._earliest, record._latest);
    }

    /// <summary>Checks and takes the records of <paramref name="older"/>, which come just before these in the log.</summary>
    public void JoinOlder(ChainSpan older)
    {
        if (older.IsEmpty)
        {
            return;
        }

        if (IsEmpty)
        {
            (_newest, _oldest, _earliest, _latest) = (older._newest, older._oldest, older._earliest, older._latest);
            return;
        }

        var (before, after) = (older._newest!, _oldest!);
        if (after.Seq != before.Seq + 1 || !after.Prev.AsSpan().SequenceEqual(before.Digest))
        {
            throw new StateFileException(
                name,
                $"record {after.Seq} ({Iso(after.Time)}) is not linked to the record before it (record {before.Seq}): the log was edited, or records were inserted or removed; `policy-response verify-log` names the change");
        }

        if (older._latest!.Time > _earliest!.Time + AuditLog.OrderingSlack)
        {
            throw BackDated(name, _earliest, older._latest);
        }

        _oldest = older._oldest;
        _earliest = older._earliest!.Time < _earliest.Time ? older._earliest : _earliest;
        _latest = older._latest.Time > _latest!.Time ? older._latest : _latest;
    }

    /// <summary>The refusal for a record dated more than the ordering allowance before an earlier one.</summary>
    public static StateFileException BackDated(string name, long? later, DateTimeOffset laterTime, long? earlier, DateTimeOffset earlierTime) =>
        new(
            name,
            $"record {later} is dated {Iso(laterTime)}, {(earlierTime - laterTime).TotalHours:0.#} h before record {earlier} ({Iso(earlierTime)}) written before it (more than the {AuditLog.OrderingSlack.TotalHours:0} h allowed): a record was back-dated, or written on a machine whose clock was behind, and it would hide the records before it from the gates; nothing was done. `policy-response verify-log` names it; restore the log from the branch's history");

    private static StateFileException BackDated(string name, Link later, Link earlier) =>
        BackDated(name, later.Seq, later.Time, earlier.Seq, earlier.Time);

    private ChainSpan Single(ReadOnlySpan<byte> line, in ChainFields fields)
    {
        if (fields.Seq is not { } seq || !fields.HasPrev)
        {
            throw new StateFileException(
                name,
                $"the record dated {Iso(fields.Timestamp)} has no seq/prev: it was not appended by policy-response (inserted by hand, or written before the log was chained); `policy-response verify-log` names it");
        }

        var prev = new byte[SHA256.HashSizeInBytes];
        if (Convert.FromHexString(line.Slice(fields.PrevStart, fields.PrevLength), prev, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != prev.Length)
        {
            throw new StateFileException(name, $"record {seq} ({Iso(fields.Timestamp)}) has a prev that is not a SHA-256: the log was edited");
        }

        var link = new Link(seq, prev, SHA256.HashData(line), fields.Timestamp);
        var span = new ChainSpan(name);
        (span._newest, span._oldest, span._earliest, span._latest) = (link, link, link, link);
        return span;
    }

    private sealed record Link(long Seq, byte[] Prev, byte[] Digest, DateTimeOffset Time);

    /// <summary>A record's time as messages print it (UTC, to the second).</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
