using System.Text.Json;

namespace PolicyAction.State;

/// <summary>Everything read from the audit log, and a note if its last line was torn by a crash.</summary>
internal sealed record AuditLogContents(IReadOnlyList<AuditRecord> Records, string? Warning);

/// <summary>
/// <c>state/policy_response_log.jsonl</c>: append-only, one JSON record per line, each record written
/// in a single write ending in a newline and flushed to disk.
/// </summary>
internal sealed class AuditLog
{
    public AuditLog(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// Appends the record linked to the log's current head (see <see cref="AuditChain"/>) and returns the new head.
    /// Callers hold the workspace lock, so there is one writer at a time.
    /// </summary>
    public ChainHead Append(AuditRecord record)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var head = AuditChain.HeadOf(stream, Path);

        // A crash mid-write can leave a last line without its newline. End that line and note it, so the
        // torn record stays on disk, is skipped knowingly by readers, and cannot corrupt the new record.
        using var line = new MemoryStream();
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            if (stream.ReadByte() != '\n')
            {
                line.WriteByte((byte)'\n');
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
        if (!File.Exists(Path))
        {
            return ChainHead.Genesis;
        }

        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            return AuditChain.HeadOf(stream, Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(Path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads every record. A malformed line fails closed (exit 2, naming the line), except a torn
    /// last line without its newline, which is reported and skipped (and never removed from disk).
    /// </summary>
    public AuditLogContents Read()
    {
        if (!File.Exists(Path))
        {
            return new AuditLogContents([], null);
        }

        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
            return Parse(stream, Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(Path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads only the recent end of the log: lines from the end back to the first record older than
    /// <paramref name="since"/> less <see cref="OrderingSlack"/> (merged runs and clock skew can put a record
    /// slightly out of order). Returns them in file order. Cost grows with the window, not the history;
    /// damage in older lines is for <c>verify-log</c> to find.
    /// </summary>
    /// <param name="since">The start of the window.</param>
    /// <param name="needed">
    /// Which records the reader uses, decided from their time, event and mode alone; the others are only checked to
    /// be well-formed records, never built (most of a long history is records a reader does not look at). Null: all.
    /// </param>
    public AuditLogContents ReadSince(DateTimeOffset since, Func<RecordKind, bool>? needed = null)
    {
        if (!File.Exists(Path))
        {
            return new AuditLogContents([], null);
        }

        var cutoff = since - OrderingSlack;
        var newestFirst = new List<AuditRecord>();
        string? warning = null;
        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
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
                    if (kind.Timestamp < cutoff)
                    {
                        break;
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
                        warning = $"{Path}: line {fromEnd} from the end is an incomplete record (a write was interrupted); it is ignored and left in place";
                        tornNoted = false;
                        continue;
                    }

                    throw new StateFileException(Path, $"the line {fromEnd} from the end is not a valid audit record ({e.Message}); the log may have been edited or damaged", e);
                }

                tornNoted = record.Event == AuditEvents.TornRecordNoted;
                newestFirst.Add(record);
                if (record.Timestamp < cutoff)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(Path, $"cannot be read: {e.Message}", e);
        }

        newestFirst.Reverse();
        return new AuditLogContents(newestFirst, warning);
    }

    /// <summary>The newest record that matches, reading back from the end only as far as it must.</summary>
    /// <param name="notBefore">Stop at records older than this (less the ordering slack): the search is bounded.</param>
    public AuditRecord? FindLast(Func<AuditRecord, bool> match, DateTimeOffset notBefore)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
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
            throw new StateFileException(Path, $"cannot be read: {e.Message}", e);
        }

        return null;
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
