using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PolicyAction.State;

/// <summary>What is at a name beneath the workspace, seen without following it.</summary>
internal enum EntryKind
{
    Missing,
    Regular,
    Directory,
    Link,

    /// <summary>A FIFO, a device or a socket: never opened, since opening one can block forever or read without end.</summary>
    Other,
}

/// <summary>A file's type, size and permission bits, as <c>lstat</c> or <c>fstat</c> on its handle saw them.</summary>
internal sealed record EntryFacts(EntryKind Kind, long Size, UnixFileMode Mode);

/// <summary>A regular file's bytes and permission bits, both read from the one open handle.</summary>
internal sealed record FileContent(byte[] Bytes, UnixFileMode Mode);

/// <summary>
/// Opens the tool's files beneath a folder (the workspace) through directory handles, never through a symbolic link:
/// the folder is opened once, then each folder on the way with <c>openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)</c>
/// where the kernel has it, else one component at a time with <c>openat(O_NOFOLLOW | O_DIRECTORY)</c>, and the file
/// itself relative to its folder's handle with <c>O_NOFOLLOW | O_NONBLOCK</c> after an <c>lstat</c> there: a link
/// swapped in between a check and the use is refused, not followed, and a FIFO or a device is refused before it is
/// opened (opening one can block forever, reading one need not end). Replacing (temp file and <c>renameat</c>) and
/// removing (<c>unlinkat</c>) go through the same folder handle, so the name checked is the name changed. Reads are
/// bounded by the size <c>fstat</c> gives on the open handle. What is made here (a folder, a new file, a temp file
/// renamed into place) is given through its handle to the workspace's owner when the tool runs as root
/// (<see cref="WorkspaceOwner"/>).
/// </summary>
internal static partial class BeneathWorkspace
{
    /// <summary>What is at <paramref name="path"/> (lstat through the folder handles; a link at the name is reported, not followed); a link on the way is refused.</summary>
    /// <param name="root">The folder nothing may leave (the workspace).</param>
    /// <param name="path">A full path below <paramref name="root"/>, or one relative to it.</param>
    /// <param name="name">How the file is named in messages.</param>
    public static EntryFacts Stat(string root, string path, string name)
    {
        var (components, leaf) = Split(root, path, name);
        if (!OperatingSystem.IsLinux())
        {
            return ManagedStat(Path.Combine([root, .. components, leaf]));
        }

        using var folder = OpenFolder(root, components, create: false, name, out _);
        return folder is null ? Missing : StatAt(folder, leaf, name, refuse: false);
    }

    /// <summary>A regular file's bytes, or null when it does not exist; anything else (a link, a FIFO, too large) is refused naming it.</summary>
    public static FileContent? Read(string root, string path, long maxBytes, string name)
    {
        var (components, leaf) = Split(root, path, name);
        if (!OperatingSystem.IsLinux())
        {
            var full = Path.Combine([root, .. components, leaf]);
            var facts = ManagedStat(full);
            return facts.Kind == EntryKind.Missing ? null : new FileContent(ReadManaged(full, facts, maxBytes, name), facts.Mode);
        }

        using var folder = OpenFolder(root, components, create: false, name, out _);
        using var handle = folder is null ? null : OpenAt(folder, leaf, ORdOnly, name, mayBeMissing: true, out _);
        if (handle is null)
        {
            return null;
        }

        var opened = Fstat(handle, name);
        if (opened.Size > maxBytes)
        {
            throw TooLarge(name, opened.Size, maxBytes);
        }

        var bytes = new byte[opened.Size];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return new FileContent(read == bytes.Length ? bytes : bytes[..read], opened.Mode);
    }

    /// <summary>A stream over an existing regular file, for reading; <see cref="FileNotFoundException"/> when it is missing.</summary>
    public static FileStream OpenRead(string root, string path, string name, int bufferSize = 1)
    {
        var (components, leaf) = Split(root, path, name);
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(Path.Combine([root, .. components, leaf]), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize);
        }

        using var folder = OpenFolder(root, components, create: false, name, out _);
        var handle = (folder is null ? null : OpenAt(folder, leaf, ORdOnly, name, mayBeMissing: true, out _))
            ?? throw new FileNotFoundException($"Could not find file '{name}'", name);
        _ = Fstat(handle, name);
        return new FileStream(handle, FileAccess.Read, bufferSize);
    }

    /// <summary>
    /// A stream for reading and writing a regular file, created (with the folders on the way) when missing;
    /// <paramref name="createNew"/>: it must not exist yet. Writers seek to the end to append.
    /// </summary>
    public static FileStream OpenWrite(string root, string path, string name, bool createNew = false)
    {
        var (components, leaf) = Split(root, path, name);
        if (!OperatingSystem.IsLinux())
        {
            var full = Path.Combine([root, .. components, leaf]);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            return new FileStream(full, createNew ? FileMode.CreateNew : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1);
        }

        using var folder = OpenFolder(root, components, create: true, name, out var owner)!;
        var handle = OpenAt(folder, leaf, ORdWr | OCreat | (createNew ? OExcl : 0), name, mayBeMissing: false, out var created)!;
        _ = Fstat(handle, name);
        if (created)
        {
            owner?.Give(handle);
        }

        return new FileStream(handle, FileAccess.ReadWrite, 1);
    }

    /// <summary>
    /// Replaces the file: a temp file in the same folder (created, written, flushed and given its mode through that
    /// folder's handle), renamed over the name with <c>renameat</c>, then the folder flushed, so the rename survives a
    /// crash. The folders on the way are created. A reader sees the old file or the new one, never half of either.
    /// </summary>
    public static void WriteAtomic(string root, string path, ReadOnlySpan<byte> content, UnixFileMode? mode, string name)
    {
        var (components, leaf) = Split(root, path, name);
        if (!OperatingSystem.IsLinux())
        {
            WriteManaged(Path.Combine([root, .. components, leaf]), content, mode);
            return;
        }

        // A link or a FIFO at the name is replaced, never followed: renameat changes the name, not what it points to.
        using var folder = OpenFolder(root, components, create: true, name, out var owner)!;
        var temp = $".{leaf}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var handle = OpenAt(folder, temp, OWrOnly | OCreat | OExcl, name, mayBeMissing: false, out _)!)
            {
                RandomAccess.Write(handle, content, 0);

                // The temp file is a new inode, also when it replaces a file: given to the workspace's owner before the
                // mode, since a change of owner clears set-id bits.
                owner?.Give(handle);

                if (mode is { } unixMode && NativeMethods.Fchmod(handle, (uint)unixMode) != 0)
                {
                    throw Failure(name, "cannot be given its mode");
                }

                if (NativeMethods.Fsync(handle) != 0)
                {
                    throw Failure(name, "cannot be flushed");
                }
            }

            if (NativeMethods.Renameat(folder, temp, folder, leaf) != 0)
            {
                throw Failure(name, "cannot be replaced");
            }
        }
        catch
        {
            _ = NativeMethods.Unlinkat(folder, temp, 0);
            throw;
        }

        _ = NativeMethods.Fsync(folder);
    }

    /// <summary>
    /// Removes what is at the name, unless a folder (<c>unlinkat</c> through its folder's handle, which removes a link
    /// itself, never what it points to), and flushes the folder; a missing one is left missing.
    /// </summary>
    public static void Delete(string root, string path, string name)
    {
        var (components, leaf) = Split(root, path, name);
        if (!OperatingSystem.IsLinux())
        {
            File.Delete(Path.Combine([root, .. components, leaf]));
            return;
        }

        using var folder = OpenFolder(root, components, create: false, name, out _);
        var kind = folder is null ? EntryKind.Missing : StatAt(folder, leaf, name, refuse: false).Kind;
        if (kind == EntryKind.Missing)
        {
            return;
        }

        if (kind == EntryKind.Directory)
        {
            throw IsDirectory(name);
        }

        if (NativeMethods.Unlinkat(folder!, leaf, 0) != 0 && Marshal.GetLastPInvokeError() != ENoEnt)
        {
            throw Failure(name, "cannot be removed");
        }

        _ = NativeMethods.Fsync(folder!);
    }

    /// <summary>Whether the folders are opened with <c>openat2</c> (false: one component at a time; tests turn it off to check the fallback).</summary>
    internal static bool UseOpenat2 { get; set; } = true;

    private static readonly EntryFacts Missing = new(EntryKind.Missing, 0, 0);

    /// <summary>The path's folders below the root, and its file name; a path that is not below the root is refused.</summary>
    private static (string[] Components, string Leaf) Split(string root, string path, string name)
    {
        var relative = Path.IsPathRooted(path) ? Path.GetRelativePath(root, path) : path;
        var parts = relative.Split('/', '\\', StringSplitOptions.RemoveEmptyEntries).Where(part => part != ".").ToArray();
        if (parts.Length == 0 || parts.Contains("..") || Path.IsPathRooted(relative))
        {
            throw new StateFileException(name, $"is not inside {root}; the tool's files are opened only beneath the workspace");
        }

        return (parts[..^1], parts[^1]);
    }

    /// <summary>The handle of the folder <paramref name="components"/> below the root, or null when one of them is missing and not to be created.</summary>
    /// <param name="owner">With <paramref name="create"/>: whom what is created beneath the root is given to (the root's owner, when the tool runs as root), which the folders made here already are; else null.</param>
    private static SafeFileHandle? OpenFolder(string root, string[] components, bool create, string name, out WorkspaceOwner? owner)
    {
        owner = null;
        if (create)
        {
            // The root is where confinement starts, taken as given (the workspace, or a file's own folder).
            Directory.CreateDirectory(root);
        }

        var rootFd = NativeMethods.Open(root, ORdOnly | ODirectory | OCloExec);
        if (rootFd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENoEnt && !create)
            {
                return null;
            }

            throw new IOException($"{name}: the workspace {root} cannot be opened ({Describe(errno)})");
        }

        var folder = new SafeFileHandle(rootFd, ownsHandle: true);
        if (create)
        {
            owner = WorkspaceOwner.Of(folder);
        }

        if (components.Length == 0)
        {
            return folder;
        }

        if (UseOpenat2)
        {
            var how = new OpenHow { Flags = (ulong)(ORdOnly | ODirectory | OCloExec), Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagiclinks };
            var fd = (int)NativeMethods.Openat2(SysOpenat2, folder, string.Join('/', components), ref how, (nuint)Marshal.SizeOf<OpenHow>());
            if (fd >= 0)
            {
                folder.Dispose();
                return new SafeFileHandle(fd, ownsHandle: true);
            }

            // ENOSYS: a kernel before 5.6; EPERM: a seccomp filter that refuses it (as some container runtimes do). Any
            // other failure (a link, a missing folder to create) is found and named by the walk below.
        }

        try
        {
            var walked = string.Empty;
            foreach (var component in components)
            {
                walked = walked.Length == 0 ? component : $"{walked}/{component}";
                var next = NativeMethods.Openat(folder, component, ORdOnly | ODirectory | ONoFollow | OCloExec, 0);
                var made = false;
                if (next < 0 && Marshal.GetLastPInvokeError() == ENoEnt && create)
                {
                    made = NativeMethods.Mkdirat(folder, component, 0x1FF) == 0;
                    if (!made && Marshal.GetLastPInvokeError() != EExist)
                    {
                        throw Failure(name, $"cannot be written: the folder '{walked}' cannot be created");
                    }

                    next = NativeMethods.Openat(folder, component, ORdOnly | ODirectory | ONoFollow | OCloExec, 0);
                }

                if (next < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == ENoEnt && !create)
                    {
                        folder.Dispose();
                        return null;
                    }

                    if (errno == ENoEnt)
                    {
                        // Made (or found) a moment ago and gone again: someone is changing the folders under us.
                        throw Failure(name, $"cannot be written: the folder '{walked}' was removed or replaced while it was opened");
                    }

                    var kind = StatAt(folder, component, name, refuse: false).Kind;
                    throw kind switch
                    {
                        EntryKind.Link => new StateFileException(name, $"passes through the symbolic link '{walked}'; the tool's files are never opened through links"),
                        EntryKind.Directory => new IOException($"{name}: the folder '{walked}' cannot be opened ({Describe(errno)})"),
                        _ => new StateFileException(name, $"cannot be reached: '{walked}' is not a folder"),
                    };
                }

                folder.Dispose();
                folder = new SafeFileHandle(next, ownsHandle: true);
                if (made)
                {
                    owner?.Give(folder);
                }
            }

            return folder;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the file <paramref name="leaf"/> in the folder: lstat first, so that a FIFO or a device is never opened,
    /// then <c>O_NOFOLLOW | O_NONBLOCK</c>, so a link or a FIFO swapped in after the lstat is refused, not followed or
    /// waited on; the caller checks the open handle's type with <see cref="Fstat"/>. Null when missing and allowed.
    /// </summary>
    /// <param name="created">Whether this open made the file (<c>O_EXCL</c> succeeded), not found it.</param>
    private static SafeFileHandle? OpenAt(SafeFileHandle folder, string leaf, int access, string name, bool mayBeMissing, out bool created)
    {
        created = false;
        var before = StatAt(folder, leaf, name);
        if (before.Kind == EntryKind.Missing && (access & OCreat) == 0)
        {
            return mayBeMissing ? null : throw new FileNotFoundException($"Could not find file '{name}'", name);
        }

        // Missing a moment ago: created exclusively, so that only a file this open made is counted as made (and given
        // to the workspace's owner); one that appeared in between is opened as found.
        var flags = before.Kind == EntryKind.Missing ? access | OExcl : access;
        var fd = NativeMethods.Openat(folder, leaf, flags | ONoFollow | ONonBlock | ONoCtty | OCloExec, 0x1B6);
        if (fd < 0 && flags != access && Marshal.GetLastPInvokeError() == EExist)
        {
            flags = access;
            fd = NativeMethods.Openat(folder, leaf, flags | ONoFollow | ONonBlock | ONoCtty | OCloExec, 0x1B6);
        }

        if (fd >= 0)
        {
            created = (flags & (OCreat | OExcl)) == (OCreat | OExcl);
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        var errno = Marshal.GetLastPInvokeError();
        throw errno switch
        {
            ENoEnt when mayBeMissing => new FileNotFoundException($"Could not find file '{name}'", name),
            ELoop => Linked(name),
            ENxio => NotRegular(name),
            EExist => new IOException($"{name} already exists"),
            _ => Failure(name, "cannot be opened", errno),
        };
    }

    /// <summary>What is at <paramref name="leaf"/> in the folder, not following it; with <paramref name="refuse"/>, a link or a FIFO/device is refused naming it.</summary>
    private static EntryFacts StatAt(SafeFileHandle folder, string leaf, string name, bool refuse = true)
    {
        Span<byte> statx = stackalloc byte[256];
        if (NativeMethods.Statx(folder, leaf, AtSymlinkNoFollow, StatxType | StatxMode | StatxSize, ref MemoryMarshal.GetReference(statx)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == ENoEnt ? Missing : throw Failure(name, "cannot be examined", errno);
        }

        var facts = Facts(statx);
        if (refuse && facts.Kind == EntryKind.Link)
        {
            throw Linked(name);
        }

        if (refuse && facts.Kind == EntryKind.Other)
        {
            throw NotRegular(name);
        }

        return facts;
    }

    /// <summary>The open handle's type and size: only a regular file is read or written.</summary>
    private static EntryFacts Fstat(SafeFileHandle handle, string name)
    {
        Span<byte> statx = stackalloc byte[256];
        if (NativeMethods.Statx(handle, string.Empty, AtEmptyPath, StatxType | StatxMode | StatxSize, ref MemoryMarshal.GetReference(statx)) != 0)
        {
            handle.Dispose();
            throw Failure(name, "cannot be examined");
        }

        var facts = Facts(statx);
        if (facts.Kind != EntryKind.Regular)
        {
            handle.Dispose();
            throw facts.Kind == EntryKind.Directory ? IsDirectory(name) : NotRegular(name);
        }

        return facts;
    }

    private static EntryFacts Facts(ReadOnlySpan<byte> statx)
    {
        // struct statx: stx_mode is the u16 at offset 28, stx_size the u64 at offset 40.
        var mode = BitConverter.ToUInt16(statx[28..30]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => EntryKind.Regular,
            0x4000 => EntryKind.Directory,
            0xA000 => EntryKind.Link,
            _ => EntryKind.Other,
        };
        return new EntryFacts(kind, BitConverter.ToInt64(statx[40..48]), (UnixFileMode)(mode & 0xFFF));
    }

    private static StateFileException Linked(string name) => new(name, "is a symbolic link; the tool's files are never opened through links");

    private static StateFileException NotRegular(string name) => new(name, "is not a regular file (a FIFO, a device or a socket); the tool opens only regular files");

    private static StateFileException IsDirectory(string name) => new(name, "is a directory where the tool keeps a file");

    private static StateFileException TooLarge(string name, long size, long maxBytes) => new(name, $"is {size} bytes, larger than the {maxBytes}-byte limit for this file");

    private static IOException Failure(string name, string what, int? errno = null) =>
        new($"{name} {what} ({Describe(errno ?? Marshal.GetLastPInvokeError())})");

    private static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)}, errno {errno}";

    private static EntryFacts ManagedStat(string full)
    {
        var info = new FileInfo(full);
        if (info.LinkTarget is not null)
        {
            return new EntryFacts(EntryKind.Link, 0, 0);
        }

        if (Directory.Exists(full))
        {
            return new EntryFacts(EntryKind.Directory, 0, 0);
        }

        return info.Exists ? new EntryFacts(EntryKind.Regular, info.Length, OperatingSystem.IsWindows() ? 0 : info.UnixFileMode) : Missing;
    }

    private static byte[] ReadManaged(string full, EntryFacts facts, long maxBytes, string name) =>
        facts.Kind switch
        {
            EntryKind.Link => throw Linked(name),
            EntryKind.Directory => throw IsDirectory(name),
            _ when facts.Size > maxBytes => throw TooLarge(name, facts.Size, maxBytes),
            _ => File.ReadAllBytes(full),
        };

    private static void WriteManaged(string full, ReadOnlySpan<byte> content, UnixFileMode? mode)
    {
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, unixMode);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private const int ORdOnly = 0, OWrOnly = 1, ORdWr = 2, OCreat = 0x40, OExcl = 0x80, ONoCtty = 0x100, ONonBlock = 0x800, OCloExec = 0x80000;

    // O_DIRECTORY and O_NOFOLLOW differ by architecture: 0200000 and 0400000 on x86-64, 040000 and 0100000 on arm64.
    private static readonly int ODirectory = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    private const int AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxSize = 0x200;
    private const int ENoEnt = 2, ENxio = 6, EExist = 17, ELoop = 40;

    // openat2 has the same number on every architecture (it is newer than the unified table).
    private const nint SysOpenat2 = 437;
    private const ulong ResolveNoMagiclinks = 0x02, ResolveNoSymlinks = 0x04, ResolveBeneath = 0x08;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Openat(SafeFileHandle folder, string path, int flags, uint mode);

        // syscall(2) is variadic; on x86-64 and arm64 Linux its integer arguments travel in the same registers either way.
        [LibraryImport("libc", EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial nint Openat2(nint number, SafeFileHandle folder, string path, ref OpenHow how, nuint size);

        [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Statx(SafeFileHandle folder, string path, int flags, uint mask, ref byte buffer);

        [LibraryImport("libc", EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Mkdirat(SafeFileHandle folder, string path, uint mode);

        [LibraryImport("libc", EntryPoint = "renameat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Renameat(SafeFileHandle fromFolder, string from, SafeFileHandle toFolder, string to);

        [LibraryImport("libc", EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Unlinkat(SafeFileHandle folder, string path, int flags);

        [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
        public static partial int Fchmod(SafeFileHandle handle, uint mode);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(SafeFileHandle handle);
    }
}
