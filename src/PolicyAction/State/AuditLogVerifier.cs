namespace PolicyAction.State;

/// <summary>What <c>verify-log</c> found: the records checked, the head reached, and the first bad record if any.</summary>
internal sealed record LogVerification(
    bool Intact,
    long Records,
    ChainHead Head,
    int? BadLine,
    string? Problem,
    IReadOnlyList<string> Warnings);

/// <summary>
/// Walks the whole audit log and checks its hash chain: sequence numbers without gaps or repeats, each record
/// linked to the bytes of the one before it, and, given an earlier checkpoint, that the log still reaches it
/// unchanged. Reports the first bad record and what most likely happened to it.
/// </summary>
internal static class AuditLogVerifier
{
    private sealed record Entry(int Line, AuditRecord Record, string Hash);

    public static LogVerification Verify(Stream stream, string name, ChainHead? checkpoint = null)
    {
        var entries = new List<Entry>();
        var warnings = new List<string>();
        int? unparsed = null;
        var lineNumber = 0;
        foreach (var (line, terminated) in AuditLog.Lines(stream))
        {
            lineNumber++;
            if (line.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            var record = AuditLog.TryParse(line);
            if (record is null)
            {
                if (!terminated)
                {
                    warnings.Add($"line {lineNumber} is an incomplete record (a write was interrupted); it is not part of the chain");
                    continue;
                }

                if (unparsed is { } earlier)
                {
                    return Broken(entries, earlier, $"line {earlier} is not a valid audit record: it was edited or damaged", warnings);
                }

                unparsed = lineNumber;
                continue;
            }

            if (unparsed is { } torn)
            {
                // Only a line the writer itself noted as torn may sit in the chain unlinked.
                if (record.Event != AuditEvents.TornRecordNoted)
                {
                    return Broken(entries, torn, $"line {torn} is not a valid audit record: it was edited or damaged", warnings);
                }

                warnings.Add($"line {torn} is an incomplete record (a write was interrupted) that the next writer noted; it is not part of the chain");
                unparsed = null;
            }

            entries.Add(new Entry(lineNumber, record, AuditChain.Hash(line)));
        }

        if (unparsed is { } last)
        {
            return Broken(entries, last, $"line {last} is not a valid audit record: it was edited or damaged", warnings);
        }

        var head = ChainHead.Genesis;
        var previousLine = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var (line, record, hash) = entries[i];
            if (record.Seq is not { } seq || record.Prev is null)
            {
                return Broken(entries[..i], line, $"line {line} has no seq/prev: it was not appended by policy-response (inserted by hand, or written before the log was chained)", warnings);
            }

            var expected = head.Seq + 1;
            if (seq > expected)
            {
                var later = entries.Skip(i + 1).FirstOrDefault(e => e.Record.Seq == expected);
                return Broken(entries[..i], line, later is null
                    ? $"record {expected} is missing before line {line} (which holds record {seq}): {(seq - expected == 1 ? "a record was" : $"{seq - expected} records were")} deleted"
                    : $"line {line} holds record {seq} where record {expected} belongs; record {expected} is at line {later.Line}: records were reordered", warnings);
            }

            if (seq < expected)
            {
                var first = entries.Take(i).FirstOrDefault(e => e.Record.Seq == seq);
                return Broken(entries[..i], line, first is null
                    ? $"line {line} holds record {seq} after record {head.Seq}: records were reordered or a record was inserted"
                    : $"line {line} repeats record number {seq} (first at line {first.Line}): a record was inserted", warnings);
            }

            if (!string.Equals(record.Prev, head.Hash, StringComparison.Ordinal))
            {
                return i == 0
                    ? Broken([], line, $"line {line} is record 1 but does not start the chain: the log's beginning was replaced", warnings)
                    : Broken(entries[..(i - 1)], previousLine, $"record {head.Seq} (line {previousLine}) no longer matches the hash record {seq} (line {line}) holds for it: it was edited or replaced", warnings);
            }

            if (checkpoint is not null && seq == checkpoint.Seq && !string.Equals(hash, checkpoint.Hash, StringComparison.Ordinal))
            {
                return Broken(entries[..i], line, $"record {seq} (line {line}) differs from the checkpoint {checkpoint}: the log was rewritten at or before this record", warnings);
            }

            head = new ChainHead(seq, hash);
            previousLine = line;
        }

        if (checkpoint is not null && checkpoint.Seq > head.Seq)
        {
            return new LogVerification(false, head.Seq, head, null, $"the log ends at record {head.Seq} but the checkpoint {checkpoint} names record {checkpoint.Seq}: it was truncated", warnings);
        }

        return new LogVerification(true, head.Seq, head, null, null, warnings);
    }

    public static LogVerification VerifyFile(string path, ChainHead? checkpoint = null)
    {
        if (!File.Exists(path))
        {
            return checkpoint is null
                ? new LogVerification(true, 0, ChainHead.Genesis, null, null, [])
                : new LogVerification(false, 0, ChainHead.Genesis, null, $"the log does not exist but the checkpoint {checkpoint} names record {checkpoint.Seq}: it was deleted", []);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
            return Verify(stream, path, checkpoint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    private static LogVerification Broken(IReadOnlyList<Entry> good, int line, string problem, List<string> warnings)
    {
        var head = good.Count == 0 ? ChainHead.Genesis : new ChainHead(good[^1].Record.Seq ?? 0, good[^1].Hash);
        return new LogVerification(false, head.Seq, head, line, problem, warnings);
    }
}
