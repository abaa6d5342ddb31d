using System.Security.Cryptography;
using System.Text.Json;

namespace PolicyAction.State;

/// <summary>Where the audit log's chain ends: the newest record's sequence number and the SHA-256 of its line.</summary>
internal sealed record ChainHead(long Seq, string Hash)
{
    /// <summary>What a record before the first links to: there is none, and deleting the first record must show.</summary>
    public static readonly ChainHead Genesis = new(0, new string('0', 64));

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>The form <c>verify-log --checkpoint</c> takes and the summary and commit messages print.</summary>
    public override string ToString() => $"{Seq}:{Hash}";

    public static bool TryParse(string text, out ChainHead head)
    {
        head = Genesis;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || !long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            || seq < 1
            || text.Length - colon - 1 != 64
            || text.AsSpan(colon + 1).ContainsAnyExcept(LowerHex))
        {
            return false;
        }

        head = new ChainHead(seq, text[(colon + 1)..]);
        return true;
    }
}

/// <summary>
/// The audit log's hash chain: every record carries its sequence number and the SHA-256 of the previous
/// record's line (its exact bytes, without the newline), so an edited, inserted, reordered or deleted record
/// breaks the chain, and a truncated log no longer reaches a checkpoint printed earlier.
/// </summary>
internal static class AuditChain
{
    public static string Hash(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(SHA256.HashData(line));

    /// <summary>The record as the next link after <paramref name="head"/>.</summary>
    public static AuditRecord Link(AuditRecord record, ChainHead head) => record with { Seq = head.Seq + 1, Prev = head.Hash };

    /// <summary>The line's identity without its place in a chain: the same event relinked elsewhere is the same event.</summary>
    public static string Identity(string line)
    {
        // Not a record (a torn line): it can only be itself.
        var record = AuditLog.TryParse(System.Text.Encoding.UTF8.GetBytes(line));
        return record is null ? line : JsonSerializer.Serialize(record with { Seq = null, Prev = null }, CompactJsonContext.Default.AuditRecord);
    }

    /// <summary>The head of a log held in memory (the branch's copy): its last complete record.</summary>
    /// <param name="name">How to name the log in messages.</param>
    public static ChainHead HeadOf(ReadOnlySpan<byte> log, string name)
    {
        // Only a complete line can be linked to: a torn last line (no newline) is skipped.
        var end = log.LastIndexOf((byte)'\n');
        while (end > 0)
        {
            var start = log[..end].LastIndexOf((byte)'\n') + 1;
            var line = log[start..end];
            if (!line.Trim(" \t\r"u8).IsEmpty)
            {
                return HeadFrom(line, name);
            }

            end = start - 1;
        }

        return ChainHead.Genesis;
    }

    /// <summary>The head of the log file: reads back from the end only to the last complete record.</summary>
    public static ChainHead HeadOf(FileStream stream, string name)
    {
        foreach (var (line, terminated) in ReverseLineReader.Lines(stream))
        {
            if (terminated && !line.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                return HeadFrom(line, name);
            }
        }

        return ChainHead.Genesis;
    }

    /// <summary>The line that appends <paramref name="record"/> to the log <paramref name="log"/>, linked to its head.</summary>
    public static byte[] LineAfter(ReadOnlySpan<byte> log, AuditRecord record, string name) =>
        AuditLog.Line(Link(record, HeadOf(log, name)));

    /// <summary>
    /// Lines taken from another copy of the log, relinked one after another onto <paramref name="head"/>:
    /// what a run appended locally, placed after what other runs committed to the branch first.
    /// </summary>
    public static IEnumerable<string> Relink(IEnumerable<string> lines, ChainHead head)
    {
        foreach (var line in lines)
        {
            var record = AuditLog.TryParse(System.Text.Encoding.UTF8.GetBytes(line));
            if (record is null)
            {
                // A torn line is carried as it is; the note written after it links past it.
                yield return line;
                continue;
            }

            var bytes = AuditLog.Line(Link(record, head));
            var text = System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, bytes.Length - 1));
            head = new ChainHead(head.Seq + 1, Hash(bytes.AsSpan(0, bytes.Length - 1)));
            yield return text;
        }
    }

    private static ChainHead HeadFrom(ReadOnlySpan<byte> line, string name)
    {
        AuditRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(line, CompactJsonContext.Default.AuditRecord);
        }
        catch (JsonException e)
        {
            throw new StateFileException(name, $"its last line is not a valid audit record ({AuditLog.Explain(line, e)}); nothing can be appended after it", e);
        }

        if (record is null)
        {
            throw new StateFileException(name, "its last line is not a valid audit record (null); nothing can be appended after it");
        }

        // A record written before the chain (or by hand) still gets linked to by its bytes; verify-log reports it.
        return new ChainHead(record.Seq ?? 0, Hash(line));
    }
}
