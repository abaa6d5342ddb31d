using System.Text;
using PolicyAction.State;

namespace PolicyAction.SharedBranch;

/// <summary>
/// Places the records a run appended to its copy of the audit log onto the branch's log, segment by segment: reads
/// the branch's segments from the first one this run changed (on past sealed ones), leaves out what the branch
/// already holds (a reservation or an earlier try may have landed it), and appends the rest relinked to the branch's
/// head, starting a new segment whenever the open one is sealed. Sealed segments are never written.
/// </summary>
internal static class AuditLogMerge
{
    /// <param name="changed">The run's changed segments (path → bytes now), from its newest segment at the start on.</param>
    /// <param name="baseline">The segments as the run found them.</param>
    /// <param name="remote">A segment's bytes on the branch by number (null: not there).</param>
    /// <returns>The segments to write, oldest first; empty when the branch already holds every record.</returns>
    public static async Task<IReadOnlyList<Forge.FileChange>> MergeAsync(
        IReadOnlyDictionary<string, byte[]> changed,
        IReadOnlyDictionary<string, byte[]> baseline,
        Func<int, Task<byte[]?>> remote,
        long sealAt = AuditSegments.SealAt)
    {
        var ordered = changed
            .Select(c => (Number: AuditSegments.TryNumber(c.Key, out var n) ? n : 0, c.Key, c.Value))
            .Where(c => c.Number > 0)
            .OrderBy(c => c.Number)
            .ToList();
        if (ordered.Count == 0)
        {
            return [];
        }

        var added = new List<string>();
        foreach (var (_, path, local) in ordered)
        {
            var before = baseline.GetValueOrDefault(path) ?? [];
            if (!local.AsSpan().StartsWith(before))
            {
                throw new InvalidOperationException($"the local {path} no longer starts with what this run read; it was rewritten, not appended to");
            }

            // A last line without its newline is a write a crash interrupted: not a record, and never worth committing.
            var complete = local.AsSpan(0, local.AsSpan().LastIndexOf((byte)'\n') + 1);
            if (complete.Length > before.Length)
            {
                added.AddRange(Lines(complete[before.Length..]));
            }
        }

        // The branch's segments from the first changed one, on past every sealed one to the open one.
        var first = ordered[0].Number;
        var walked = new List<(int Number, byte[] Content)>();
        for (var at = first; ; at++)
        {
            var content = await remote(at).ConfigureAwait(false);
            if (content is null)
            {
                break;
            }

            walked.Add((at, content));
            if (!AuditSegments.IsSealed(content.Length, sealAt))
            {
                break;
            }
        }

        var present = new HashSet<string>(walked.SelectMany(w => Lines(w.Content)).Select(AuditChain.Identity), StringComparer.Ordinal);
        var missing = added.Where(line => !present.Contains(AuditChain.Identity(line))).ToList();
        if (missing.Count == 0)
        {
            return [];
        }

        // Link to the branch's newest record: in the walked segments, else in the one before the first changed.
        var head = ChainHead.Genesis;
        foreach (var (_, content) in Enumerable.Reverse(walked))
        {
            head = AuditChain.HeadOf(content, "the branch's audit log");
            if (head != ChainHead.Genesis)
            {
                break;
            }
        }

        if (head == ChainHead.Genesis && first > 1 && await remote(first - 1).ConfigureAwait(false) is { } previous)
        {
            head = AuditChain.HeadOf(previous, "the branch's audit log");
        }

        var (number, existing) = walked.Count > 0 ? walked[^1] : (first, []);
        MemoryStream? current = null;
        var written = new List<Forge.FileChange>();
        var afterRecord = true;
        foreach (var line in AuditChain.Relink(missing, head))
        {
            if (current is null)
            {
                if (AuditSegments.IsSealed(existing.Length, sealAt))
                {
                    number++;
                    existing = [];
                }

                current = new MemoryStream();
                current.Write(existing);
                if (existing.Length > 0 && existing[^1] != (byte)'\n')
                {
                    current.WriteByte((byte)'\n');
                }
            }
            else if (AuditSegments.IsSealed(current.Length, sealAt) && afterRecord)
            {
                // Never between a torn line and the note after it: readers take a torn line only with its note.
                written.Add(new Forge.FileChange(AuditSegments.RepositoryPath(number), current.ToArray()));
                number++;
                current = new MemoryStream();
            }

            var bytes = Encoding.UTF8.GetBytes(line);
            afterRecord = AuditLog.TryParse(bytes) is not null;
            current.Write(bytes);
            current.WriteByte((byte)'\n');
        }

        written.Add(new Forge.FileChange(AuditSegments.RepositoryPath(number), current!.ToArray()));
        return written;
    }

    private static string[] Lines(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes).Split('\n').Where(line => line.Length > 0).ToArray();
}
