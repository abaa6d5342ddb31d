using System.Text.Json;

namespace PolicyAction.State;

/// <summary>Everything read from the audit log, and a note if its last line was torn by a crash.</summary>
internal sealed record AuditLogContents(IReadOnlyList<AuditRecord> Records, string? Warning);

/// <summary>
/// The audit log: append-only, one JSON record per line, each record written in a single write ending in a newline
/// and flushed to disk, kept in segments (<see cref="AuditSegments"/>) whose first is
/// <c>state/policy_response_log.jsonl</c>. Readers of a recent window read back from the newest segment only as far
/// as the window reaches.
/// </summary>
internal sealed class AuditLog
{
    private readonly long _sealAt;

    /// <param name="path">The first segment's path; later segments are in the folder of the same name without <c>.jsonl</c>.</param>
    /// <param name="sealAt">The size at which a segment is sealed (<see cref="AuditSegments.SealAt"/>; smaller in tests).</param>
    public AuditLog(string path, long sealAt = AuditSegments.SealAt)
    {
        Path = path;
        _sealAt = sealAt;
    }

    /// <summary>The first segment's path, which names the log in messages.</summary>
    public string Path { get; }

    /// <summary>The segments on disk, oldest first.</summary>
    public IReadOnlyList<AuditSegment> Segments() => AuditSegments.List(Path);

    /// <summary>The segment the next record goes to now: the newest, or the one after it when that one is sealed.</summary>
    public AuditSegment OpenSegment()
    {
        var newest = Newest();
        return AuditSegments.IsSealed(new FileInfo(newest.Path) is { Exists: true } info ? info.Length : 0, _sealAt)
            ? new AuditSegment(newest.Number + 1, AuditSegments.FilePath(Path, newest.Number + 1))
            : newest;
    }

    /// <summary>
    /// Appends the record linked to the log's current head (see <see cref="AuditChain"/>) and returns the new head.
    /// Callers hold the workspace lock, so there is one writer at a time.
    /// </summary>
    public ChainHead Append(AuditRecord record)
    {
        var newest = Newest();
        var open = OpenSegment();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(open.Path)!);
        var head = Head();
        var torn = false;
        if (File.Exists(newest.Path))
        {
            using var previous = new FileStream(newest.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            torn = previous.Length > 0 && EndsTorn(previous);
        }

        using var stream = new FileStream(open.Path, open.Number == newest.Number ? FileMode.OpenOrCreate : FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);

        // A crash mid-write can leave a last line without its newline. End that line and note it (in the next
        // segment when that one is sealed), so the torn record stays on disk, is skipped knowingly by readers, and
        // cannot corrupt the new record.
        using var line = new MemoryStream();
        if (torn)
        {
            if (open.Number == newest.Number)
            {
                line.WriteByte((byte)'\n');
            }

            var note = AuditChain.Link(
                new AuditRecord
                {
                    Timestamp = record.Timestamp,
                    Event = AuditEvents.TornRecordNoted,
                    Actor = record.Actor,
                    Detail = "the previous line is an incomplete record left by an interrupted write; it is kept and ignored",
                },
                head);
            var noteLine = Line(note);
            line.Write(noteLine);
            head = new ChainHead(head.Seq + 1, AuditChain.Hash(noteLine.AsSpan(0, noteLine.Length - 1)));
        }

        var recordLine = Line(AuditChain.Link(record, head));
        line.Write(recordLine);
        stream.Seek(0, SeekOrigin.End);
        stream.Write(line.GetBuffer(), 0, (int)line.Length);
        stream.Flush(flushToDisk: true);
        return new ChainHead(head.Seq + 1, AuditChain.Hash(recordLine.AsSpan(0, recordLine.Length - 1)));
    }

    /// <summary>The chain's head now: the newest complete record, read from the end (cost does not grow with the log).</summary>
    public ChainHead Head()
    {
        var segments = Segments();
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            try
            {
                using var stream = new FileStream(segments[i].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
                var head = AuditChain.HeadOf(stream, segments[i].Path);
                if (head != ChainHead.Genesis)
                {
                    return head;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(segments[i].Path, $"cannot be read: {e.Message}", e);
            }
        }

        return ChainHead.Genesis;
    }

    /// <summary>
    /// Reads every record of every segment. A malformed line fails closed (exit 2, naming the line), except a torn
    /// last line without its newline, which is reported and skipped (and never removed from disk).
    /// </summary>
    public AuditLogContents Read()
    {
        var records = new List<AuditRecord>();
        string? warning = null;
        foreach (var segment in Segments())
        {
            try
            {
                using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
                var contents = Parse(stream, segment.Path);
                records.AddRange(contents.Records);
                warning ??= contents.Warning;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(segment.Path, $"cannot be read: {e.Message}", e);
            }
        }

        return new AuditLogContents(records, warning);
    }

    /// <summary>
    /// Reads only the recent end of the log: lines from the end back to the first record older than
    /// <paramref name="since"/> less <see cref="OrderingSlack"/> (merged runs and clock skew can put a record
    /// slightly out of order), from the newest segment back only as far as that. Returns them in file order. Cost
    /// grows with the window, not the history; damage in older lines is for <c>verify-log</c> to find.
    /// </summary>
    /// <param name="since">The start of the window.</param>
    /// <param name="needed">
    /// Which records the reader uses, decided from their time, event and mode alone; the others are only checked to
    /// be well-formed records, never built (most of a long history is records a reader does not look at). Null: all.
    /// </param>
    /// <param name="belowSegment">Read only segments numbered below this (the rest came from another copy); null: all.</param>
    public AuditLogContents ReadSince(DateTimeOffset since, Func<RecordKind, bool>? needed = null, int? belowSegment = null)
    {
        var cutoff = since - OrderingSlack;
        var newestFirst = new List<AuditRecord>();
        string? warning = null;
        var tornNoted = false;
        foreach (var segment in NewestFirst(belowSegment))
        {
            try
            {
                using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
                if (ReadBack(stream, segment.Path, cutoff, needed, newestFirst, ref warning, ref tornNoted))
                {
                    break;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(segment.Path, $"cannot be read: {e.Message}", e);
            }
        }

        newestFirst.Reverse();
        return new AuditLogContents(newestFirst, warning);
    }

    /// <summary>The newest record that matches, reading back from the end only as far as it must.</summary>
    /// <param name="notBefore">Stop at records older than this (less the ordering slack): the search is bounded.</param>
    public AuditRecord? FindLast(Func<AuditRecord, bool> match, DateTimeOffset notBefore)
    {
        foreach (var segment in NewestFirst())
        {
            try
            {
                using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
                foreach (var (line, _) in ReverseLineReader.Lines(stream))
                {
                    if (line.AsSpan().Trim(" \t\r"u8).IsEmpty)
                    {
                        continue;
                    }

                    // Damage is reported by the windowed reads and verify-log; a search skips it.
                    var record = TryParse(line);

                    if (record is not null && match(record))
                    {
                        return record;
                    }

                    if (record is not null && record.Timestamp < notBefore - OrderingSlack)
                    {
                        return null;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(segment.Path, $"cannot be read: {e.Message}", e);
            }
        }

        return null;
    }

    /// <summary>
    /// Reads one segment back from its end into <paramref name="newestFirst"/>; true when it reached a record older
    /// than <paramref name="cutoff"/>, so older segments are not needed.
    /// </summary>
    private static bool ReadBack(FileStream stream, string name, DateTimeOffset cutoff, Func<RecordKind, bool>? needed, List<AuditRecord> newestFirst, ref string? warning, ref bool tornNoted)
    {
        var fromEnd = 0;
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
                if (kind.Timestamp < cutoff)
                {
                    return true;
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
                    warning = $"{name}: line {fromEnd} from the end is an incomplete record (a write was interrupted); it is ignored and left in place";
                    tornNoted = false;
                    continue;
                }

                throw new StateFileException(name, $"the line {fromEnd} from the end is not a valid audit record ({e.Message}); the log may have been edited or damaged", e);
            }

            tornNoted = record.Event == AuditEvents.TornRecordNoted;
            newestFirst.Add(record);
            if (record.Timestamp < cutoff)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The segments newest first; a missing segment on the way back fails closed, since its records would be silently skipped.</summary>
    private IEnumerable<AuditSegment> NewestFirst(int? belowSegment = null)
    {
        var segments = Segments().Where(s => belowSegment is null || s.Number < belowSegment).ToList();
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            var expected = i == segments.Count - 1 ? segments[i].Number : segments[i + 1].Number - 1;
            if (segments[i].Number != expected)
            {
                throw new StateFileException(
                    AuditSegments.FilePath(Path, expected),
                    $"segment {expected} of the audit log is missing (segment {segments[i + 1].Number} follows segment {segments[i].Number}); restore it from the branch's history");
            }

            yield return segments[i];
        }

        if (segments.Count > 0 && segments[0].Number != 1)
        {
            throw new StateFileException(
                AuditSegments.FilePath(Path, segments[0].Number - 1),
                $"segment {segments[0].Number - 1} of the audit log is missing (the oldest present is segment {segments[0].Number}); restore it from the branch's history");
        }
    }

    /// <summary>The newest segment on disk, or the first (perhaps not yet written).</summary>
    private AuditSegment Newest() => Segments() is { Count: > 0 } segments ? segments[^1] : new AuditSegment(1, Path);

    private static bool EndsTorn(FileStream stream)
    {
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }

    /// <summary>How far out of time order a record may be and still be found by <see cref="ReadSince"/>.</summary>
    public static readonly TimeSpan OrderingSlack = TimeSpan.FromHours(6);

    /// <summary>Reads records from any copy of the log (a file, or the branch's version fetched from GitHub).</summary>
    /// <param name="name">How to name the log in messages.</param>
    public static AuditLogContents Parse(Stream stream, string name)
    {
        var records = new List<AuditRecord>();
        string? warning = null;
        var lineNumber = 0;
        (int Line, JsonException Error)? bad = null;
        foreach (var (line, terminated) in Lines(stream))
        {
            lineNumber++;
            if (line.Length == 0 || line.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            AuditRecord record;
            try
            {
                record = JsonSerializer.Deserialize(line, CompactJsonContext.Default.AuditRecord)
                    ?? throw new JsonException("null record");
            }
            catch (JsonException e)
            {
                if (bad is { } earlier)
                {
                    throw Corrupt(name, earlier.Line, earlier.Error);
                }

                if (!terminated)
                {
                    warning = Torn(name, lineNumber);
                    continue;
                }

                bad = (lineNumber, e);
                continue;
            }

            if (bad is { } previous)
            {
                // Only a line the writer itself noted as torn may be skipped; anything else is damage.
                if (record.Event != AuditEvents.TornRecordNoted)
                {
                    throw Corrupt(name, previous.Line, previous.Error);
                }

                warning = Torn(name, previous.Line);
                bad = null;
            }

            records.Add(record);
        }

        if (bad is { } last)
        {
            throw Corrupt(name, last.Line, last.Error);
        }

        return new AuditLogContents(records, warning);
    }

    /// <summary>The record a line holds, or null when it holds none (a torn or damaged line).</summary>
    public static AuditRecord? TryParse(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, CompactJsonContext.Default.AuditRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The exact bytes <see cref="Append"/> writes for a record (when the log ends cleanly).</summary>
    public static byte[] Line(AuditRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, CompactJsonContext.Default.AuditRecord);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    private static string Torn(string name, int line) =>
        $"{name}: line {line} is an incomplete record (a write was interrupted); it is ignored and left in place";

    private static StateFileException Corrupt(string name, int line, JsonException error) =>
        new(name, $"line {line} is not a valid audit record ({error.Message}); the log may have been edited or damaged", error);

    internal static IEnumerable<(byte[] Line, bool Terminated)> Lines(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        using var current = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    current.Write(buffer, start, i - start);
                    yield return (current.ToArray(), true);
                    current.SetLength(0);
                    start = i + 1;
                }
            }

            current.Write(buffer, start, read - start);
        }

        if (current.Length > 0)
        {
            yield return (current.ToArray(), false);
        }
    }
}
