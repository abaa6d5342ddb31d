namespace PolicyAction.State;

/// <summary>What <c>verify-log</c> found: the records checked, the head reached, and the first bad record if any.</summary>
internal sealed record LogVerification(
    bool Intact,
    long Records,
    ChainHead Head,
    int? BadLine,
    string? Problem,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The segment of <see cref="BadLine"/> when the log is broken, else the one that holds the head (null: one-file log).</summary>
    public string? Segment { get; init; }

    /// <summary>How many segments were read.</summary>
    public int Segments { get; init; } = 1;
}

/// <summary>
/// Walks the whole audit log and checks its hash chain: sequence numbers without gaps or repeats, each record
/// linked to the bytes of the one before it, and, given an earlier checkpoint, that the log still reaches it
/// unchanged. Reports the first bad record and what most likely happened to it.
/// </summary>
internal static class AuditLogVerifier
{
    /// <summary>How often, in bytes read, <c>progress</c> hears of it.</summary>
    public const long ProgressStep = 8 * 1024 * 1024;

    private const int HexLength = 64;

    /// <summary>
    /// One streaming pass in constant memory, a buffer of lines at a time: while one core hashes the block's lines,
    /// the other reads only the fields the chain needs from each (<c>seq</c>, <c>prev</c>, and <c>timestamp</c> and
    /// <c>event</c> to know it is a record); then the chain is walked in order. The first problem in file order is
    /// reported; naming it may take a second look further on or from the start.
    /// </summary>
    /// <param name="progress">Called with the bytes read so far, every <see cref="ProgressStep"/> bytes.</param>
    /// <param name="where">How a line number is named in messages (default: <c>line N</c>).</param>
    public static LogVerification Verify(Stream stream, string name, ChainHead? checkpoint = null, Action<long>? progress = null, Func<int, string>? where = null)
    {
        _ = name;
        var walk = new ChainWalk(checkpoint, where);
        var reader = new ForwardLineReader(stream);
        var lines = new List<LinePlace>();
        var fields = Array.Empty<ChainFields>();
        var isRecord = Array.Empty<bool>();
        var digests = Array.Empty<byte>();
        var nextProgress = ProgressStep;
        while (reader.TryReadBlock(lines))
        {
            if (fields.Length < lines.Count)
            {
                fields = new ChainFields[lines.Count * 2];
                isRecord = new bool[lines.Count * 2];
                digests = new byte[lines.Count * 2 * 32];
            }

            var buffer = reader.Buffer;
            var count = lines.Count;
            var hashing = count >= ParallelFrom
                ? Task.Run(() => HashLines(buffer, lines, digests))
                : null;
            for (var i = 0; i < count; i++)
            {
                isRecord[i] = ChainFields.TryRead(buffer.AsSpan(lines[i].Start, lines[i].Length), out fields[i]);
            }

            if (hashing is null)
            {
                HashLines(buffer, lines, digests);
            }
            else
            {
                hashing.GetAwaiter().GetResult();
            }

            for (var i = 0; i < count; i++)
            {
                var place = lines[i];
                var line = buffer.AsSpan(place.Start, place.Length);
                if (walk.Step(line, place.Terminated, isRecord[i], fields[i], digests.AsSpan(i * 32, 32)) is { } seek)
                {
                    return walk.Finish(seek switch
                    {
                        Seek.Later => LaterLineHolding(walk, fields, isRecord, i + 1, count, reader),
                        _ => FirstLineHolding(stream, walk.LineNumber, walk.SoughtSeq),
                    });
                }

                if (walk.Stopped)
                {
                    return walk.Finish(null);
                }
            }

            if (progress is not null && reader.Consumed >= nextProgress)
            {
                progress(reader.Consumed);
                nextProgress = reader.Consumed + ProgressStep;
            }
        }

        return walk.Finish(null);
    }

    /// <summary>Fewer lines than this are hashed on the calling thread: a task would cost more than it saves.</summary>
    private const int ParallelFrom = 64;

    private static void HashLines(byte[] buffer, List<LinePlace> lines, byte[] digests)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            System.Security.Cryptography.SHA256.HashData(buffer.AsSpan(lines[i].Start, lines[i].Length), digests.AsSpan(i * 32, 32));
        }
    }

    /// <summary>
    /// Verifies the whole log, every segment in order as one chain (<paramref name="path"/> is the first segment's
    /// path). A problem is named by its segment and its line there; a missing segment is a break.
    /// </summary>
    /// <param name="name">How a segment is named in messages (default: its file name).</param>
    /// <param name="root">The folder the segments are opened beneath, through no link (default: the first segment's folder).</param>
    public static LogVerification VerifyFile(string path, ChainHead? checkpoint = null, Action<long>? progress = null, Func<string, string>? name = null, string? root = null)
    {
        var segments = AuditSegments.List(path);
        if (segments.Count == 0)
        {
            return checkpoint is null
                ? new LogVerification(true, 0, ChainHead.Genesis, null, null, [])
                : new LogVerification(false, 0, ChainHead.Genesis, null, $"the log does not exist but the checkpoint {checkpoint} names record {checkpoint.Seq}: it was deleted", []);
        }

        name ??= System.IO.Path.GetFileName;
        var contiguous = segments.TakeWhile((segment, i) => segment.Number == i + 1).ToList();
        string? missing = contiguous.Count < segments.Count || contiguous.Count == 0
            ? $"segment {contiguous.Count + 1} ({name(AuditSegments.FilePath(path, contiguous.Count + 1))}) is missing"
            : null;
        if (contiguous.Count == 0)
        {
            return new LogVerification(false, 0, ChainHead.Genesis, null, $"{missing}: the log's beginning was deleted", []) { Segments = segments.Count };
        }

        try
        {
            using var stream = new SegmentedLogStream(contiguous, segment => name(segment.Path), root ?? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            var several = segments.Count > 1;
            var verification = Verify(stream, path, checkpoint, progress, line => several ? $"{stream.Place(line).Segment} line {stream.Place(line).Line}" : $"line {line}");
            var place = verification.BadLine is { } bad ? stream.Place(bad) : ((string Segment, int Line)?)null;
            verification = verification with
            {
                BadLine = place?.Line,
                Segment = several ? place?.Segment ?? name(contiguous[^1].Path) : null,
                Segments = segments.Count,
            };
            if (verification.Intact && missing is not null)
            {
                // The chain verifies as far as it goes; what follows the gap cannot be tied to it.
                return verification with
                {
                    Intact = false,
                    Problem = $"{missing}: the records after record {verification.Head.Seq} cannot be verified; restore it from the branch's history",
                };
            }

            return verification;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads on from where the walk stopped for the line holding the sought record number.</summary>
    private static int? LaterLineHolding(ChainWalk walk, ChainFields[] fields, bool[] isRecord, int next, int count, ForwardLineReader reader)
    {
        var lineNumber = walk.LineNumber;
        for (var i = next; i < count; i++)
        {
            lineNumber++;
            if (isRecord[i] && fields[i].Seq == walk.SoughtSeq)
            {
                return lineNumber;
            }
        }

        while (reader.TryReadLine(out var line, out _))
        {
            lineNumber++;
            if (ChainFields.TryRead(line, out var later) && later.Seq == walk.SoughtSeq)
            {
                return lineNumber;
            }
        }

        return null;
    }

    /// <summary>Reads again from the start for the first line before <paramref name="before"/> holding record <paramref name="seq"/>.</summary>
    private static int? FirstLineHolding(Stream stream, int before, long seq)
    {
        if (!stream.CanSeek)
        {
            return null;
        }

        stream.Seek(0, SeekOrigin.Begin);
        var reader = new ForwardLineReader(stream);
        for (var lineNumber = 1; lineNumber < before && reader.TryReadLine(out var line, out _); lineNumber++)
        {
            if (ChainFields.TryRead(line, out var fields) && fields.Seq == seq)
            {
                return lineNumber;
            }
        }

        return null;
    }

    /// <summary>Which second look a problem needs to be named.</summary>
    private enum Seek
    {
        Later,
        Earlier,
    }

    /// <summary>
    /// The chain walked line by line in file order: the head (last good record) and the one before it, as
    /// lower-case hex, and the first problem once one is found.
    /// </summary>
    private sealed class ChainWalk
    {
        private readonly ChainHead? _checkpoint;
        private readonly byte[]? _checkpointHash;
        private readonly List<string> _warnings = [];
        private Link _head = new(0, 0, [.. "0000000000000000000000000000000000000000000000000000000000000000"u8]);
        private Link _beforeHead;
        private byte[] _hex = new byte[HexLength];
        private int? _unparsed;
        private (DateTimeOffset Time, long Seq, int Line)? _latest;
        private LogVerification? _broken;
        private Func<int?, LogVerification>? _naming;

        public ChainWalk(ChainHead? checkpoint, Func<int, string>? where)
        {
            Where = where ?? (line => $"line {line}");
            _checkpoint = checkpoint;
            _checkpointHash = checkpoint is null ? null : System.Text.Encoding.ASCII.GetBytes(checkpoint.Hash);
            _beforeHead = _head;
        }

        public int LineNumber { get; private set; }

        /// <summary>How a line is named in messages: its number, or its segment and its number there.</summary>
        private Func<int, string> Where { get; }

        /// <summary>A problem was found that needs no second look: the rest of the log is not read.</summary>
        public bool Stopped => _broken is not null;

        /// <summary>The record number a problem is about, for the second look that names it.</summary>
        public long SoughtSeq { get; private set; }

        /// <summary>Takes the next line; returns the second look needed to name a problem found here, if any.</summary>
        public Seek? Step(ReadOnlySpan<byte> line, bool terminated, bool isRecord, ChainFields fields, ReadOnlySpan<byte> digest)
        {
            if (_broken is not null || _naming is not null)
            {
                return null;
            }

            LineNumber++;
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                return null;
            }

            if (!isRecord)
            {
                if (!terminated)
                {
                    _warnings.Add($"{Where(LineNumber)} is an incomplete record (a write was interrupted); it is not part of the chain");
                    return null;
                }

                if (_unparsed is { } earlier)
                {
                    Break(_head, earlier, $"{Where(earlier)} is not a valid audit record: it was edited or damaged");
                    return null;
                }

                _unparsed = LineNumber;
                return null;
            }

            if (_unparsed is { } torn)
            {
                // Only a line the writer itself noted as torn may sit in the chain unlinked.
                if (!fields.TornRecordNoted)
                {
                    Break(_head, torn, $"{Where(torn)} is not a valid audit record: it was edited or damaged");
                    return null;
                }

                _warnings.Add($"{Where(torn)} is an incomplete record (a write was interrupted) that the next writer noted; it is not part of the chain");
                _unparsed = null;
            }

            var lineNumber = LineNumber;
            if (fields.Seq is not { } seq || !fields.HasPrev)
            {
                Break(_head, lineNumber, $"{Where(lineNumber)} has no seq/prev: it was not appended by policy-response (inserted by hand, or written before the log was chained)");
                return null;
            }

            var head = _head;
            var expected = head.Seq + 1;
            if (seq > expected)
            {
                SoughtSeq = expected;
                _naming = later => Broken(head, lineNumber, later is null
                    ? $"record {expected} is missing before {Where(lineNumber)} (which holds record {seq}): {(seq - expected == 1 ? "a record was" : $"{seq - expected} records were")} deleted"
                    : $"{Where(lineNumber)} holds record {seq} where record {expected} belongs; record {expected} is at {Where(later.GetValueOrDefault())}: records were reordered");
                return Seek.Later;
            }

            if (seq < expected)
            {
                SoughtSeq = seq;
                _naming = first => Broken(head, lineNumber, first is null
                    ? $"{Where(lineNumber)} holds record {seq} after record {head.Seq}: records were reordered or a record was inserted"
                    : $"{Where(lineNumber)} repeats record number {seq} (first at {Where(first.GetValueOrDefault())}): a record was inserted");
                return Seek.Earlier;
            }

            if (!line.Slice(fields.PrevStart, fields.PrevLength).SequenceEqual(head.Hash))
            {
                if (head.Seq == 0)
                {
                    Break(head, lineNumber, $"{Where(lineNumber)} is record 1 but does not start the chain: the log's beginning was replaced");
                }
                else
                {
                    Break(_beforeHead, head.Line, $"record {head.Seq} ({Where(head.Line)}) no longer matches the hash record {seq} ({Where(lineNumber)}) holds for it: it was edited or replaced");
                }

                return null;
            }

            if (_latest is { } latest && fields.Timestamp < latest.Time - AuditLog.OrderingSlack)
            {
                Break(_head, lineNumber, $"{Where(lineNumber)} (record {seq}) is dated {ChainSpan.Iso(fields.Timestamp)}, {(latest.Time - fields.Timestamp).TotalHours:0.#} h before record {latest.Seq} ({Where(latest.Line)}, {ChainSpan.Iso(latest.Time)}) written before it, more than the {AuditLog.OrderingSlack.TotalHours:0} h allowed: it was back-dated, or written on a machine whose clock was behind; windowed readers would stop at it");
                return null;
            }

            if (_latest is null || fields.Timestamp > _latest.Value.Time)
            {
                _latest = (fields.Timestamp, seq, lineNumber);
            }

            ToHex(digest, _hex);
            if (_checkpointHash is not null && seq == _checkpoint!.Seq && !_hex.AsSpan().SequenceEqual(_checkpointHash))
            {
                Break(head, lineNumber, $"record {seq} ({Where(lineNumber)}) differs from the checkpoint {_checkpoint}: the log was rewritten at or before this record");
                return null;
            }

            // The walk only ever looks two records back, so the oldest buffer takes the next hash.
            var freed = _beforeHead.Hash;
            _beforeHead = head;
            _head = new Link(seq, lineNumber, _hex);
            _hex = ReferenceEquals(freed, _beforeHead.Hash) ? new byte[HexLength] : freed;
            return null;
        }

        /// <summary>The verdict: the first problem (named with what the second look found), or the end of the chain.</summary>
        public LogVerification Finish(int? found)
        {
            if (_naming is not null)
            {
                return _naming(found);
            }

            if (_broken is not null)
            {
                return _broken;
            }

            if (_unparsed is { } last)
            {
                return Broken(_head, last, $"{Where(last)} is not a valid audit record: it was edited or damaged");
            }

            var end = _head.ToChainHead();
            if (_checkpoint is not null && _checkpoint.Seq > end.Seq)
            {
                return new LogVerification(false, end.Seq, end, null, $"the log ends at record {end.Seq} but the checkpoint {_checkpoint} names record {_checkpoint.Seq}: it was truncated", _warnings);
            }

            return new LogVerification(true, end.Seq, end, null, null, _warnings);
        }

        private void Break(Link good, int line, string problem) => _broken = Broken(good, line, problem);

        private LogVerification Broken(Link good, int line, string problem)
        {
            var head = good.ToChainHead();
            return new LogVerification(false, head.Seq, head, line, problem, _warnings);
        }

        private static void ToHex(ReadOnlySpan<byte> digest, byte[] hex)
        {
            for (var i = 0; i < digest.Length; i++)
            {
                hex[2 * i] = "0123456789abcdef"u8[digest[i] >> 4];
                hex[(2 * i) + 1] = "0123456789abcdef"u8[digest[i] & 0xF];
            }
        }
    }

    /// <summary>A good record in the chain: its number, its line, and the hex SHA-256 of its bytes.</summary>
    private sealed record Link(long Seq, int Line, byte[] Hash)
    {
        public ChainHead ToChainHead() => Seq == 0 ? ChainHead.Genesis : new ChainHead(Seq, System.Text.Encoding.ASCII.GetString(Hash));
    }
}
