namespace PolicyAction.GitHub;

/// <summary>
/// Merges an append-only log (JSONL) when another run committed first: theirs, then the lines this run
/// appended. Never drops a line from either side; a retry that already landed is not appended twice.
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

        var ours = local.AsSpan(baseline.Length);
        if (remote is null || remote.Length == 0)
        {
            return local;
        }

        if (ours.IsEmpty || remote.AsSpan().EndsWith(ours))
        {
            return remote;
        }

        var separator = remote[^1] == (byte)'\n' ? 0 : 1;
        var merged = new byte[remote.Length + separator + ours.Length];
        remote.CopyTo(merged, 0);
        if (separator == 1)
        {
            merged[remote.Length] = (byte)'\n';
        }

        ours.CopyTo(merged.AsSpan(remote.Length + separator));
        return merged;
    }
}
