namespace PolicyAction.State;

/// <summary>
/// Crash-safe file replacement: write a temp file in the same folder, flush it to disk,
/// rename it over the target, then flush the folder so the rename itself survives a crash.
/// A reader sees the old file or the new one, never half of either. Done through the folder's handle
/// (<see cref="BeneathWorkspace.WriteAtomic"/>), so a link on the way is refused rather than followed.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Replaces a file of the tool's beneath <paramref name="root"/> (the workspace): no folder on the way may be a link.</summary>
    public static void WriteAllBytes(string root, string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null) =>
        BeneathWorkspace.WriteAtomic(root, path, content, mode, path);

    /// <summary>Replaces a file in its own folder (created when missing), which is taken as it is.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        BeneathWorkspace.WriteAtomic(directory, Path.GetFileName(full), content, mode, path);
    }
}
