namespace PolicyAction.SharedBranch;

/// <summary>
/// Merges an append-only log (JSONL) when another run committed first: their file as it is, then each line
/// this run appended that the branch does not already hold (a reservation or an earlier try may have landed
/// it). Never drops or reorders a line that is on the branch.
/// </summary>
internal static class AppendOnlyMerge
{
    /// <param name="baseline">The file as this run found it before it started.</param>
    /// <param name="local">The file as this run leaves it (baseline plus appended lines).</param>
    /// <param name="remote">The file on the branch now, or null if the branch does not have it.</param>
    /// <param name="chained">
    /// The file is the hash-chained audit log: a line is matched by its record without its chain fields, and the
    /// lines this run adds are relinked onto the branch's head so the merged chain verifies.
    /// </param>
    public static byte[] Merge(byte[]? baseline, byte[] local, byte[]? remote, bool chained = false)
    {
        baseline ??= [];
        if (!local.AsSpan().StartsWith(baseline))
        {
            throw new InvalidOperationException("the local log no longer starts with what this run read; it was rewritten, not appended to");
        }

        // A last line without its newline is a write a crash interrupted: not a record, and never worth committing.
        var complete = local.AsSpan(0, local.AsSpan().LastIndexOf((byte)'\n') + 1).ToArray();
        if (remote is null || remote.Length == 0)
        {
            return complete;
        }

        Func<string, string> identity = chained ? State.AuditChain.Identity : line => line;
        var present = new HashSet<string>(Lines(remote).Select(identity), StringComparer.Ordinal);
        var added = complete.Length > baseline.Length ? Lines(complete.AsSpan(baseline.Length).ToArray()) : [];
        var missing = added.Where(line => !present.Contains(identity(line))).ToArray();
        if (missing.Length == 0)
        {
            return remote;
        }

        var lines = chained ? State.AuditChain.Relink(missing, State.AuditChain.HeadOf(remote, "the branch's audit log")) : missing;
        using var merged = new MemoryStream();
        merged.Write(remote);
        if (remote[^1] != (byte)'\n')
        {
            merged.WriteByte((byte)'\n');
        }

        foreach (var line in lines)
        {
            merged.Write(System.Text.Encoding.UTF8.GetBytes(line));
            merged.WriteByte((byte)'\n');
        }

        return merged.ToArray();
    }

    /// <summary>The file with one more line at its end; a last line without its newline gets one first.</summary>
    public static byte[] Append(byte[] file, byte[] line)
    {
        var separator = file.Length > 0 && file[^1] != (byte)'\n' ? 1 : 0;
        var content = new byte[file.Length + separator + line.Length];
        file.CopyTo(content, 0);
        if (separator == 1)
        {
            content[file.Length] = (byte)'\n';
        }

        line.CopyTo(content, file.Length + separator);
        return content;
    }

    private static string[] Lines(byte[] bytes) =>
        System.Text.Encoding.UTF8.GetString(bytes).Split('\n').Where(line => line.Length > 0).ToArray();
}
