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
    private readonly string _root;

    /// <param name="path">The first segment's path; later segments are in the folder of the same name without <c>.jsonl</c>.</param>
    /// <param name="sealAt">The size at which a segment is sealed (<see cref="AuditSegments.SealAt"/>; smaller in tests).</param>
    /// <param name="root">
    /// The folder the segments are opened beneath, through no link (<see cref="BeneathWorkspace"/>): the workspace;
    /// by default the first segment's folder.
    /// </param>
    public AuditLog(string path, long sealAt = AuditSegments.SealAt, string? root = null)
    {
        Path = path;
        _sealAt = sealAt;
        _root = root ?? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
    }

    /// <summary>The folder the segments are opened beneath.</summary>
    public string Root => _root;

    /// <summary>A segment opened for reading beneath the root, never through a link, only as a regular file.</summary>
    private FileStream OpenForReading(string path, int bufferSize = 1) => BeneathWorkspace.OpenRead(_root, path, path, bufferSize);

    /// <summary>A segment's size (0 when missing), seen without following a link; a link or a FIFO is refused naming it.</summary>
    private long SizeOf(string path) => BeneathWorkspace.Stat(_root, path, path) is { Kind: EntryKind.Regular } facts ? facts.Size : 0;

    private bool Exists(string path) => BeneathWorkspace.Stat(_root, path, path).Kind != EntryKind.Missing;

    /// <summary>The first segment's path, which names the log in messages.</summary>
    public string Path { get; }

    /// <summary>The segments on disk, oldest first (every group listed: for readers of the whole history).</summary>
    public IReadOnlyList<AuditSegment> Segments() => [.. Index().NewestFirst().Reverse()];

    /// <summary>The newest segment on disk, or the first (perhaps not yet written).</summary>
    public AuditSegment Newest() => Index().Newest ?? new AuditSegment(1, Path);

    /// <summary>
    /// The segments on disk, listed once and kept while the folders are unchanged and this instance has not added
    /// one: a long history is thousands of files, and a run asks often.
    /// </summary>
    private SegmentIndex Index()
    {
        if (_index is null || !_index.IsCurrent())
        {
            _index = new SegmentIndex(Path);
        }

        return _index;
    }

    private SegmentIndex? _index;

    /// <summary>The segment the next record goes to now: the newest, or the one after it when that one is sealed.</summary>
    public AuditSegment OpenSegment()
    {
        var newest = Newest();
        return AuditSegments.IsSealed(SizeOf(newest.Path), _sealAt)
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
        var head = Head();
        RefuseBackwards(record.Timestamp);
        var torn = false;
        if (Exists(newest.Path))
        {
            using var previous = OpenForReading(newest.Path);
            torn = previous.Length > 0 && EndsTorn(previous);
        }

        // A new segment (or the first file) changes the listing; the folder's time may not show it within one clock
        // tick. Appending to an existing one does not.
        if (open.Number != newest.Number || !Exists(open.Path))
        {
            _index = null;
        }

        // Through the folders' handles, as a regular file only: a log committed as a link to a file elsewhere is
        // refused, never appended to.
        using var stream = BeneathWorkspace.OpenWrite(_root, open.Path, open.Path, createNew: open.Number != newest.Number);

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
                    ClaimedActor = record.ClaimedActor,
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
        var appended = new ChainHead(head.Seq + 1, AuditChain.Hash(recordLine.AsSpan(0, recordLine.Length - 1)));
        var latest = _latest?.Record is { } before && before.Time >= record.Timestamp ? before : (record.Timestamp, appended.Seq);
        _latest = (open.Number, stream.Length, latest);
        return appended;
    }

    /// <summary>
    /// Refuses a record dated more than <see cref="OrderingSlack"/> before the log's latest: readers stop at the first
    /// record older than their window, so such a record would hide the ones before it (and they refuse it, see
    /// <see cref="ChainSpan"/>).
    /// </summary>
    private void RefuseBackwards(DateTimeOffset timestamp)
    {
        if (Latest() is { } latest && timestamp < latest.Time - OrderingSlack)
        {
            throw new StateFileException(
                Path,
                $"the record to append is dated {ChainSpan.Iso(timestamp)}, {(latest.Time - timestamp).TotalHours:0.#} h before the log's latest record {latest.Seq} ({ChainSpan.Iso(latest.Time)}), more than the {OrderingSlack.TotalHours:0} h allowed: this machine's clock is behind, or that record is dated ahead; nothing was written. Check the clock (`date -u`)");
        }
    }

    /// <summary>
    /// The latest-dated record: read back from the end only until no earlier record can be later (each is at most the
    /// ordering slack after every record written after it), then kept while this instance is the one appending.
    /// </summary>
    private (DateTimeOffset Time, long? Seq)? Latest()
    {
        var newest = Newest();
        var length = SizeOf(newest.Path);
        if (_latest is { } known && known.Segment == newest.Number && known.Length == length)
        {
            return known.Record;
        }

        (DateTimeOffset Time, long? Seq)? latest = null;
        DateTimeOffset? earliest = null;
        foreach (var segment in Index().NewestFirst())
        {
            using var stream = OpenForReading(segment.Path);
            foreach (var (line, terminated) in ReverseLineReader.Lines(stream))
            {
                if (!terminated || !ChainFields.TryRead(line, out var fields))
                {
                    continue;
                }

                latest = latest is { } l && l.Time >= fields.Timestamp ? l : (fields.Timestamp, fields.Seq);
                earliest = earliest is { } e && e <= fields.Timestamp ? e : fields.Timestamp;
                if (earliest + OrderingSlack <= latest.Value.Time)
                {
                    return Keep(latest);
                }
            }
        }

        return Keep(latest);

        (DateTimeOffset Time, long? Seq)? Keep((DateTimeOffset Time, long? Seq)? found)
        {
            _latest = (newest.Number, length, found);
            return found;
        }
    }

    private (int Segment, long Length, (DateTimeOffset Time, long? Seq)? Record)? _latest;

    /// <summary>The chain's head now: the newest complete record, read from the end (cost does not grow with the log).</summary>
    public ChainHead Head()
    {
        foreach (var segment in Index().NewestFirst())
        {
            try
            {
                using var stream = OpenForReading(segment.Path);
                var head = AuditChain.HeadOf(stream, segment.Path);
                if (head != ChainHead.Genesis)
                {
                    return head;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(segment.Path, $"cannot be read: {e.Message}", e);
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
        var chain = new ChainSpan(Path);
        foreach (var segment in Segments())
        {
            try
            {
                using var stream = OpenForReading(segment.Path, 64 * 1024);
                var contents = Parse(stream, segment.Path, chain);
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
        var chain = new ChainSpan(Path);
        var lastLook = false;
        foreach (var segment in NewestFirst(belowSegment))
        {
            try
            {
                if (lastLook)
                {
                    // The record before the segment the window ended in: a back-dated record that starts a segment
                    // must not hide the one before it.
                    using var older = OpenForReading(segment.Path);
                    chain.JoinOlder(SegmentScan.LastRecord(older, segment.Path));
                    break;
                }

                var info = new FileInfo(segment.Path);
                var key = (segment.Path, needed);
                if (!_scans.TryGetValue(key, out var scan) || !scan.Matches(info) || !scan.Covers(cutoff))
                {
                    using var stream = OpenForReading(segment.Path);
                    scan = SegmentScan.Read(stream, segment.Path, info, cutoff, needed);
                    _scans[key] = scan;
                }

                chain.JoinOlder(scan.Chain);
                lastLook = scan.Replay(cutoff, newestFirst, ref warning);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(segment.Path, $"cannot be read: {e.Message}", e);
            }
        }

        newestFirst.Reverse();
        return new AuditLogContents(newestFirst, warning);
    }

    /// <summary>
    /// What windowed reads found in each segment, by segment and filter: a run reads the same window several times
    /// (the gates, the response, the reservation's recheck), and a segment that did not change is not read again.
    /// </summary>
    private readonly Dictionary<(string Path, Func<RecordKind, bool>? Needed), SegmentScan> _scans = [];

    /// <summary>
    /// The records since <paramref name="since"/> (less the ordering slack) whose line holds <paramref name="text"/>
    /// and that match, newest first, found by a byte search from the newest segment back ("was this trigger already
    /// applied in the last 31 days?"). Lines that do not hold the text are not parsed: checking them is for the
    /// windowed reads and <c>verify-log</c>.
    /// </summary>
    /// <param name="belowSegment">Search only segments numbered below this; null: all.</param>
    public IReadOnlyList<AuditRecord> FindHolding(string text, DateTimeOffset since, Func<AuditRecord, bool> match, int? belowSegment = null)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        var cutoff = since - OrderingSlack;
        var found = new List<AuditRecord>();
        var lastLook = false;
        foreach (var segment in NewestFirst(belowSegment))
        {
            try
            {
                // One segment more than the cutoff asks for, whole: a back-dated record that starts a segment must
                // not hide the one before it (the windowed reads check the order; this search only finds).
                using var stream = OpenForReading(segment.Path);
                var reached = LogSearch.SearchBack(stream, needle, lastLook ? DateTimeOffset.MinValue : cutoff, match, found);
                if (lastLook)
                {
                    break;
                }

                lastLook = reached;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException(segment.Path, $"cannot be read: {e.Message}", e);
            }
        }

        return found;
    }

    /// <summary>The newest record that matches, reading back from the end only as far as it must.</summary>
    /// <param name="notBefore">Stop at records older than this (less the ordering slack): the search is bounded.</param>
    public AuditRecord? FindLast(Func<AuditRecord, bool> match, DateTimeOffset notBefore)
    {
        foreach (var segment in NewestFirst())
        {
            try
            {
                using var stream = OpenForReading(segment.Path);
                foreach (var (line, _) in ReverseLineReader.Lines(stream))
                {
                    if (line.AsSpan().Trim(" \t\r"u8).IsEmpty)
                    {
                        continue;
                    }

                    // Damage is reported by the windowed reads and verify-log; a search skips it.
                    var record = TryParse(line);

                    if (record is not null && record.Timestamp < notBefore - OrderingSlack)
                    {
                        return null;
                    }

                    if (record is not null && match(record))
                    {
                        return record;
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

    /// <summary>The segments newest first; a missing segment on the way back fails closed, since its records would be silently skipped.</summary>
    private IEnumerable<AuditSegment> NewestFirst(int? belowSegment = null)
    {
        AuditSegment? newer = null;
        foreach (var segment in Index().NewestFirst())
        {
            if (belowSegment is not null && segment.Number >= belowSegment)
            {
                continue;
            }

            if (newer is not null && segment.Number != newer.Number - 1)
            {
                throw new StateFileException(
                    AuditSegments.FilePath(Path, newer.Number - 1),
                    $"segment {newer.Number - 1} of the audit log is missing (segment {newer.Number} follows segment {segment.Number}); restore it from the branch's history");
            }

            yield return segment;
            newer = segment;
        }

        if (newer is not null && newer.Number != 1)
        {
            throw new StateFileException(
                AuditSegments.FilePath(Path, newer.Number - 1),
                $"segment {newer.Number - 1} of the audit log is missing (the oldest present is segment {newer.Number}); restore it from the branch's history");
        }
    }

    private static bool EndsTorn(FileStream stream)
    {
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }

    /// <summary>How far out of time order a record may be and still be found by <see cref="ReadSince"/>.</summary>
    public static readonly TimeSpan OrderingSlack = TimeSpan.FromHours(6);

    /// <summary>Reads records from any copy of the log (a file, or the branch's version fetched from GitHub).</summary>
    /// <param name="name">How to name the log in messages.</param>
    /// <param name="chain">
    /// The records read before these (in the copy's earlier segments), checked with them as one run of the chain (see
    /// <see cref="ChainSpan"/>); null: not checked.
    /// </param>
    public static AuditLogContents Parse(Stream stream, string name, ChainSpan? chain = null)
    {
        var records = new List<AuditRecord>();
        string? warning = null;
        var lineNumber = 0;
        (int Line, string Problem, JsonException Error)? bad = null;
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
                    throw Corrupt(name, earlier);
                }

                if (!terminated)
                {
                    warning = Torn(name, lineNumber);
                    continue;
                }

                bad = (lineNumber, Explain(line, e), e);
                continue;
            }

            if (bad is { } previous)
            {
                // Only a line the writer itself noted as torn may be skipped; anything else is damage.
                if (record.Event != AuditEvents.TornRecordNoted)
                {
                    throw Corrupt(name, previous);
                }

                warning = Torn(name, previous.Line);
                bad = null;
            }

            if (chain is not null)
            {
                if (!ChainFields.TryRead(line, out var fields))
                {
                    throw new StateFileException(name, $"line {lineNumber} is not a valid audit record (it has no timestamp or event); the log may have been edited or damaged");
                }

                chain.TakeNewer(line, fields);
            }

            records.Add(record);
        }

        if (bad is { } last)
        {
            throw Corrupt(name, last);
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

    private static StateFileException Corrupt(string name, (int Line, string Problem, JsonException Error) bad) =>
        new(name, $"line {bad.Line} is not a valid audit record ({bad.Problem}); the log may have been edited or damaged", bad.Error);

    /// <summary>Why a line is not a record, in the words of the line ("column 14: field timestamp: expected …, found …"), never the parser's.</summary>
    internal static string Explain(ReadOnlySpan<byte> line, JsonException error)
    {
        var problem = JsonProblem.Explain(line, error, CompactJsonContext.Default.AuditRecord);
        return $"column {problem.Column}: {problem.Detail}";
    }

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
