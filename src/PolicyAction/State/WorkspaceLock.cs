using System.Runtime.InteropServices;

namespace PolicyAction.State;

/// <summary>
/// One writer per workspace: an exclusive lock on <c>state/.policy-response.lock</c>, waited for
/// a bounded time, released when disposed (or when the process dies, since it is an OS file lock).
/// </summary>
internal sealed partial class WorkspaceLock : IDisposable
{
    private const int LockEx = 2, LockNb = 4, EWouldBlock = 11;

    private readonly FileStream _stream;

    private WorkspaceLock(FileStream stream)
    {
        _stream = stream;
    }

    /// <param name="root">The folder the lock file is opened beneath, through no link (default: the lock's own folder).</param>
    /// <param name="cancellationToken">Ends the wait (SIGTERM): the lock is not taken and nothing is written.</param>
    public static WorkspaceLock Acquire(string path, TimeSpan wait, string? root = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new WorkspaceLock(Open(path, root));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Woken at once by a cancellation, so a SIGTERM does not wait out the lock.
                cancellationToken.WaitHandle.WaitOne(100);
            }
            catch (IOException e)
            {
                throw new PolicyActionException(
                    ExitCodes.UsageOrStateError,
                    $"another policy-response is working on this workspace (lock {path} held for more than {wait.TotalSeconds:0} s); try again when it has finished",
                    e);
            }
        }
    }

    /// <summary>The lock file opened and locked, or an <see cref="IOException"/> while another process holds it.</summary>
    private static FileStream Open(string path, string? root)
    {
        if (!OperatingSystem.IsLinux())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }

        // Beneath the workspace as a regular file, so a lock committed as a link or a FIFO is refused, not followed;
        // flock as .NET's FileShare.None takes it, so older versions of the tool and this one exclude each other.
        var stream = BeneathWorkspace.OpenWrite(root ?? Path.GetDirectoryName(Path.GetFullPath(path))!, path, path);
        if (NativeMethods.Flock(stream.SafeFileHandle, LockEx | LockNb) == 0)
        {
            return stream;
        }

        var errno = Marshal.GetLastPInvokeError();
        stream.Dispose();
        throw new IOException(errno == EWouldBlock ? $"{path} is locked by another process" : $"{path} cannot be locked (errno {errno})");
    }

    public void Dispose() => _stream.Dispose();

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
        public static partial int Flock(Microsoft.Win32.SafeHandles.SafeFileHandle handle, int operation);
    }
}
