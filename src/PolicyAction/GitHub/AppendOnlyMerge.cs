namespace PolicyAction.GitHub;

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
    public static byte[] Merge(byte[]? baseline, byte[] local, byte[]? remote)
    {
        baseline ??= [];
        if (!local.AsSpan().StartsWith(baseline))
        {
            throw new InvalidOperationException("the local log no longer starts with what this run read; it was rewritten, not appended to");
        }

        if (remote is null || remote.Length == 0)
        {
            return local;
        }

        var present = new HashSet<string>(Lines(remote), StringComparer.Ordinal);
        var missing = Lines(local.AsSpan(baseline.Length).ToArray()).Where(line => !present.Contains(line)).ToArray();
        if (missing.Length == 0)
        {
            return remote;
        }

        using var merged = new MemoryStream();
        merged.Write(remote);
        if (remote[^1] != (byte)'\n')
        {
            merged.WriteByte((byte)'\n');
        }

        foreach (var line in missing)
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

    private static IEnumerable<string> Lines(byte[] bytes) =>
        System.Text.Encoding.UTF8.GetString(bytes).Split('\n').Where(line => line.Length > 0);
}
