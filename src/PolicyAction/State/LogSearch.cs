namespace PolicyAction.State;

/// <summary>
/// Finds the records of one segment whose line holds a given text, reading back from the end in large blocks and
/// parsing only the lines that hold it: a lookup over a long window (the trigger's 31 days) then costs a byte search,
/// not a parse of every line. It stops at the first block whose oldest complete line is older than the cutoff.
/// </summary>
internal static class LogSearch
{
    private const int BlockSize = 1 << 20;

    /// <summary>Adds the matching records (newest first) to <paramref name="found"/>; true when it reached a line older than <paramref name="cutoff"/>.</summary>
    public static bool SearchBack(FileStream stream, ReadOnlySpan<byte> needle, DateTimeOffset cutoff, Func<AuditRecord, bool> match, List<AuditRecord> found)
    {
        var end = stream.Length;
        byte[] carry = [];
        while (end > 0)
        {
            var start = Math.Max(0, end - BlockSize);
            var length = (int)(end - start);

            // The block, then the rest of the line it ends inside (carried from the newer block).
            var data = new byte[length + carry.Length];
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(data, 0, length);
            carry.CopyTo(data, length);

            // Before the block's first newline is the end of a line that began in an older block: carried on.
            var firstNewline = start > 0 ? Array.IndexOf(data, (byte)'\n') : -1;
            if (start > 0 && firstNewline < 0)
            {
                carry = data;
                end = start;
                continue;
            }

            var region = data.AsSpan(firstNewline + 1);
            Hits(region, needle, match, found);

            // The oldest complete line of the block decides whether older blocks can still hold the window.
            var oldestEnd = region.IndexOf((byte)'\n');
            if (oldestEnd >= 0 && RecordKind.TryRead(region[..oldestEnd], out var oldest) && oldest.Timestamp < cutoff)
            {
                return true;
            }

            carry = firstNewline >= 0 ? data[..firstNewline] : [];
            end = start;
        }

        return false;
    }

    /// <summary>The records, newest first, of the lines in <paramref name="region"/> that hold the needle and match.</summary>
    private static void Hits(ReadOnlySpan<byte> region, ReadOnlySpan<byte> needle, Func<AuditRecord, bool> match, List<AuditRecord> found)
    {
        var searchEnd = region.Length;
        while (searchEnd > 0)
        {
            var at = region[..searchEnd].LastIndexOf(needle);
            if (at < 0)
            {
                return;
            }

            var lineStart = region[..at].LastIndexOf((byte)'\n') + 1;
            var lineEnd = region[at..].IndexOf((byte)'\n');
            var line = lineEnd < 0 ? region[lineStart..] : region[lineStart..(at + lineEnd)];
            if (AuditLog.TryParse(line) is { } record && match(record))
            {
                found.Add(record);
            }

            searchEnd = lineStart;
        }
    }
}
