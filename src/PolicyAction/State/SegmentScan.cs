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

    /// <summary>
    /// Reads the segment back from its end to the first line older than <paramref name="cutoff"/>. A malformed line
    /// fails closed (naming it), except an incomplete one: the last line without its newline, or one the next writer
    /// noted as torn.
    /// </summary>
    public static SegmentScan Read(FileStream stream, string name, FileInfo info, DateTimeOffset cutoff, Func<RecordKind, bool>? needed)
    {
        var scan = new SegmentScan { _length = info.Length, _written = info.LastWriteTimeUtc, _cutoff = cutoff };
        var fromEnd = 0;
        var tornNoted = false;
        foreach (var (line, terminated) in ReverseLineReader.Lines(stream))
        {
            fromEnd++;
            if (line.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (needed is not null && RecordKind.TryRead(line, out var kind) && !needed(kind))
            {
                tornNoted = kind.Event == AuditEvents.TornRecordNoted;
                scan._lines.Add((kind.Timestamp, null));
                if (kind.Timestamp < cutoff)
                {
                    return scan;
                }

                continue;
            }

            AuditRecord record;
            try
            {
                record = JsonSerializer.Deserialize(line, CompactJsonContext.Default.AuditRecord) ?? throw new JsonException("null record");
            }
            catch (JsonException e)
            {
                if (!terminated || tornNoted)
                {
                    scan._warnings.Add((scan._lines.Count, $"{name}: line {fromEnd} from the end is an incomplete record (a write was interrupted); it is ignored and left in place"));
                    tornNoted = false;
                    continue;
                }

                throw new StateFileException(name, $"the line {fromEnd} from the end is not a valid audit record ({e.Message}); the log may have been edited or damaged", e);
            }

            tornNoted = record.Event == AuditEvents.TornRecordNoted;
            scan._lines.Add((record.Timestamp, record));
            if (record.Timestamp < cutoff)
            {
                return scan;
            }
        }

        scan._complete = true;
        return scan;
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
