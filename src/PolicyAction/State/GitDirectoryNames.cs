namespace PolicyAction.State;

/// <summary>
/// Whether a path component is one git itself would take for <c>.git</c> (its own path checks, <c>verify_path</c>,
/// refuse them everywhere in a tree, not only first): <c>.git</c> in any case; on HFS+, with code points that HFS+
/// ignores anywhere in it (zero-width joiners, direction marks, the byte-order mark); on NTFS, with trailing dots
/// and spaces or an alternate data stream (<c>.git::$INDEX_ALLOCATION</c>), and its 8.3 short name <c>git~1</c>.
/// A nested checkout's <c>.git</c> holds its credentials and its hooks, which git runs.
/// </summary>
internal static class GitDirectoryNames
{
    public static bool IsDotGit(ReadOnlySpan<char> component) => IsHfsDotGit(component) || IsNtfsDotGit(component);

    /// <summary>HFS+: the name without the code points it ignores, compared without case.</summary>
    private static bool IsHfsDotGit(ReadOnlySpan<char> component)
    {
        Span<char> kept = stackalloc char[Math.Min(component.Length, 64)];
        var length = 0;
        foreach (var c in component)
        {
            if (IsHfsIgnorable(c))
            {
                continue;
            }

            if (length == kept.Length)
            {
                return false; // far longer than ".git"
            }

            kept[length++] = c;
        }

        return kept[..length].Equals(".git", StringComparison.OrdinalIgnoreCase);
    }

    // The code points HFS+ drops when it compares names (as git lists them).
    public static bool IsHfsIgnorable(char c) =>
        c is (>= '\u200c' and <= '\u200f') or (>= '\u202a' and <= '\u202e') or (>= '\u206a' and <= '\u206f') or '\ufeff';

    /// <summary>NTFS: the name up to an alternate data stream, less trailing dots and spaces, or the short name.</summary>
    private static bool IsNtfsDotGit(ReadOnlySpan<char> component)
    {
        var stream = component.IndexOf(':');
        var name = (stream < 0 ? component : component[..stream]).TrimEnd(". ");
        return name.Equals(".git", StringComparison.OrdinalIgnoreCase) || name.Equals("git~1", StringComparison.OrdinalIgnoreCase);
    }
}
