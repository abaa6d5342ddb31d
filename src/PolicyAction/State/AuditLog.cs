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

    public void Append(AuditRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, CompactJsonContext.Default.AuditRecord);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);

        // A crash mid-write can leave a last line without its newline: start a fresh line so that
        // the torn record stays separate (and reported) instead of corrupting this one.
        var needsSeparator = false;
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            needsSeparator = stream.ReadByte() != '\n';
        }

        stream.Seek(0, SeekOrigin.End);
        var line = new byte[json.Length + 1 + (needsSeparator ? 1 : 0)];
        var offset = 0;
        if (needsSeparator)
        {
            line[offset++] = (byte)'\n';
        }

        json.CopyTo(line, offset);
        line[^1] = (byte)'\n';
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Reads every record. A malformed line fails closed (exit 2, naming the line), except a torn
    /// last line without its newline, which is reported and skipped (and never removed from disk).
    /// </summary>
    public AuditLogContents Read()
    {
        var records = new List<AuditRecord>();
        string? warning = null;
        if (!File.Exists(Path))
        {
            return new AuditLogContents(records, null);
        }

        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
            var lineNumber = 0;
            foreach (var (line, terminated) in Lines(stream))
            {
                lineNumber++;
                if (line.Length == 0 || line.AsSpan().Trim(" \t\r"u8).IsEmpty)
                {
                    continue;
                }

                try
                {
                    var record = JsonSerializer.Deserialize(line, CompactJsonContext.Default.AuditRecord)
                        ?? throw new JsonException("null record");
                    records.Add(record);
                }
                catch (JsonException e)
                {
                    if (!terminated)
                    {
                        warning = $"{Path}: line {lineNumber} is an incomplete record (a write was interrupted); it is ignored and left in place";
                        continue;
                    }

                    throw new StateFileException(Path, $"line {lineNumber} is not a valid audit record: {e.Message}", e);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(Path, $"cannot be read: {e.Message}", e);
        }

        return new AuditLogContents(records, warning);
    }

    private static IEnumerable<(byte[] Line, bool Terminated)> Lines(Stream stream)
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
