using System.Runtime.InteropServices;

namespace PolicyAction.State;

/// <summary>
/// A path as the kernel resolves it: every symbolic link on the way (not only the last), <c>.</c> and <c>..</c> followed
/// (<c>realpath(3)</c>). Comparing these, not the names as written, is what tells whether a file is inside a folder
/// when a link on either side leads somewhere else.
/// </summary>
internal static partial class RealPath
{
    // PATH_MAX on Linux: realpath writes at most this much, the NUL included.
    private const int MaxBytes = 4096;

    /// <summary>The resolved absolute path, or null when a part of it does not exist or cannot be searched.</summary>
    public static string? Of(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Exists(path) ? Path.GetFullPath(path) : null;
        }

        Span<byte> resolved = stackalloc byte[MaxBytes];
        if (NativeMethods.Realpath(path, ref MemoryMarshal.GetReference(resolved)) == 0)
        {
            return null;
        }

        return System.Text.Encoding.UTF8.GetString(resolved[..resolved.IndexOf((byte)0)]);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or below it (both absolute, compared by name).</summary>
    public static bool IsWithin(string path, string folder) =>
        (Path.TrimEndingDirectorySeparator(path) + Path.DirectorySeparatorChar).StartsWith(
            Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar,
            StringComparison.Ordinal);

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial nint Realpath(string path, ref byte resolved);
    }
}
