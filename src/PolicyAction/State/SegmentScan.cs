using System.Text.Json;

namespace PolicyAction.State;

/// <summary>
/// One segment of the audit log read back from its end as far as a cutoff: each line's time and, for the lines the
/// reader needs, the record; the torn-line warnings where they occurred. Kept for the segment as it was (its length
/// and time of last write), so a later read of the same window, or a narrower one, replays it instead of reading.
/// </summary>
internal sealed class SegmentScan
{
    private readonly List<(DateTimeOffset Time, AuditRecord? Record)> _lines = [];
    private readonly List<(int Before, string Text)> _warnings = [];
    private long _length;
    private DateTime _written;
    private DateTimeOffset _cutoff;
    private bool _complete;

    private SegmentScan()
    {
    }

    /// <summary>Whether the segment is still as it was read.</summary>
    public bool Matches(FileInfo info) => info.Exists && info.Length == _length && info.LastWriteTimeUtc == _written;

    /// <summary>Whether what was read reaches back as far as <paramref name="cutoff"/>.</summary>
    public bool Covers(DateTimeOffset cutoff) => _complete || cutoff >= _cutoff;

    /// <summary>The segment's records as a checked run of the chain (every record of it, however far the window reaches).</summary>
    public ChainSpan Chain { get; private init; } = null!;

    /// <summary>
    /// Reads the segment back from its end, keeping the lines back to the first one older than
    /// <paramref name="cutoff"/>, and checking the chain and the time order of every record in it, older ones too: a
    /// back-dated record must not end the read before what it would hide (a segment is at most 64 KiB and a record).
    /// A malformed line fails closed (naming it), except an incomplete one: the last line without its newline, or one
    /// the next writer noted as torn.
    /// </summary>
    public static SegmentScan Read(FileStream stream, string name, FileInfo info, DateTimeOffset cutoff, Func<RecordKind, bool>? needed)
    {
        var scan = new SegmentScan { _length = info.Length, _written = info.LastWriteTimeUtc, _cutoff = cutoff, Chain = new ChainSpan(name) };
        var fromEnd = 0;
        var tornNoted = false;
        var reachedCutoff = false;
        foreach (var (line, terminated) in ReverseLineReader.Lines(stream))
        {
            fromEnd++;
            if (line.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (!RecordKind.TryRead(line, out var kind))
            {
                if (!terminated || tornNoted)
                {
                    scan._warnings.Add((scan._lines.Count, $"{name}: line {fromEnd} from the end is an incomplete record (a write was interrupted); it is ignored and left in place"));
                    tornNoted = false;
                    continue;
                }

                throw NotARecord(name, fromEnd, line);
            }

            tornNoted = kind.Event == AuditEvents.TornRecordNoted;
            scan.Chain.TakeOlder(line, kind.Chain);
            if (reachedCutoff)
            {
                continue;
            }

            AuditRecord? record = null;
            if (needed is null || needed(kind))
            {
                try
                {
                    record = JsonSerializer.Deserialize(line, CompactJsonContext.Default.AuditRecord) ?? throw new JsonException("null record");
                }
                catch (JsonException e)
                {
                    throw new StateFileException(name, $"the line {fromEnd} from the end is not a valid audit record ({AuditLog.Explain(line, e)}); the log may have been edited or damaged", e);
                }
            }

            scan._lines.Add((kind.Timestamp, record));
            reachedCutoff = kind.Timestamp < cutoff;
        }

        scan._complete = !reachedCutoff;
        return scan;
    }

    /// <summary>The segment's last complete record, checked as a run of one: what a read that ends in the next segment looks at before it stops.</summary>
    public static ChainSpan LastRecord(FileStream stream, string name)
    {
        var span = new ChainSpan(name);
        var fromEnd = 0;
        foreach (var (line, terminated) in ReverseLineReader.Lines(stream))
        {
            fromEnd++;
            if (!terminated || line.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (!RecordKind.TryRead(line, out var kind))
            {
                throw NotARecord(name, fromEnd, line);
            }

            span.TakeOlder(line, kind.Chain);
            break;
        }

        return span;
    }

    private static StateFileException NotARecord(string name, int fromEnd, byte[] line)
    {
        string detail;
        try
        {
            detail = JsonSerializer.Deserialize(line, CompactJsonContext.Default.AuditRecord) is null ? "null record" : "it has no timestamp or event";
        }
        catch (JsonException e)
        {
            detail = AuditLog.Explain(line, e);
        }

        return new StateFileException(name, $"the line {fromEnd} from the end is not a valid audit record ({detail}); the log may have been edited or damaged");
    }

    /// <summary>Adds the records back to <paramref name="cutoff"/> (newest first); true when it reached a line older than it.</summary>
    public bool Replay(DateTimeOffset cutoff, List<AuditRecord> newestFirst, ref string? warning)
    {
        var next = 0;
        for (var i = 0; i < _lines.Count; i++)
        {
            for (; next < _warnings.Count && _warnings[next].Before == i; next++)
            {
                warning = _warnings[next].Text;
            }

            if (_lines[i].Record is { } record)
            {
                newestFirst.Add(record);
            }

            if (_lines[i].Time < cutoff)
            {
                return true;
            }
        }

        for (; next < _warnings.Count; next++)
        {
            warning = _warnings[next].Text;
        }

        return false;
    }
}
