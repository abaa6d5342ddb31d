using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PolicyAction.State;

/// <summary>
/// Reads a file the tool is about to commit only if it is what it looks like: a regular file at that very name,
/// not a symbolic link (opened with <c>O_NOFOLLOW</c>, so a link swapped in is refused, not followed), not a FIFO or
/// a device (its type read from the open handle with <c>statx</c>, so it cannot change between the check and the
/// read; opened <c>O_NONBLOCK</c>, so a FIFO cannot hang the open), and no larger than a bound.
/// </summary>
internal static partial class RegularFile
{
    /// <summary>More than any artifact the tool writes (an open segment is 64 KiB; the alert history grows slowly).</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    private const int ORdOnly = 0, ONonBlock = 0x800, OCloExec = 0x80000;

    // O_NOFOLLOW differs by architecture: 0400000 on x86-64, 0100000 on arm64.
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1, StatxSize = 0x200;
    private const int ELoop = 40;

    /// <summary>The file's bytes; throws <see cref="StateFileException"/> naming what it is instead.</summary>
    public static byte[] Read(string path, string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.ReadAllBytes(path);
        }

        var fd = NativeMethods.Open(path, ORdOnly | ONonBlock | ONoFollow | OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == ELoop
                ? new StateFileException(name, "is a symbolic link; the tool commits only the regular files it wrote")
                : new StateFileException(name, $"cannot be read (errno {errno})");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Span<byte> statx = stackalloc byte[256];
        if (NativeMethods.Statx(fd, string.Empty, AtEmptyPath, StatxType | StatxSize, ref MemoryMarshal.GetReference(statx)) != 0)
        {
            throw new StateFileException(name, $"cannot be examined (errno {Marshal.GetLastPInvokeError()})");
        }

        var mode = BitConverter.ToUInt16(statx[28..30]);
        if ((mode & 0xF000) != 0x8000)
        {
            throw new StateFileException(name, "is not a regular file (a FIFO, a device or a folder); the tool commits only the regular files it wrote");
        }

        var size = BitConverter.ToInt64(statx[40..48]);
        if (size > MaxBytes)
        {
            throw new StateFileException(name, $"is {size} bytes, more than the {MaxBytes} an artifact may be");
        }

        var bytes = new byte[size];
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

        return read == bytes.Length ? bytes : bytes[..read];
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
    }
}
