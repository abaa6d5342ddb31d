using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PolicyAction.State;

/// <summary>
/// Whom the files and folders the tool creates in the workspace are given to: the workspace folder's owner and group.
/// The container action runs as root, while the runner's later steps (and a self-hosted runner's next checkout) run as
/// the user who owns the checkout; root-owned state, reports and logs would be theirs to neither change nor delete.
/// Only as root (euid 0) and only when the workspace belongs to someone else; otherwise new files keep the process's
/// owner, as the kernel made them. Given through the open handle (<c>fchown</c>), never by a path a link could redirect.
/// </summary>
internal sealed partial record WorkspaceOwner(uint Uid, uint Gid)
{
    private static readonly bool RunningAsRoot = OperatingSystem.IsLinux() && NativeMethods.Geteuid() == 0;

    /// <summary>
    /// The owner of the folder open as <paramref name="root"/> (the workspace), read with <c>statx</c> on its handle;
    /// null when there is nothing to give: the tool is not root, or root owns the workspace.
    /// </summary>
    public static WorkspaceOwner? Of(SafeFileHandle root)
    {
        if (!RunningAsRoot)
        {
            return null;
        }

        Span<byte> statx = stackalloc byte[256];
        if (NativeMethods.Statx(root, string.Empty, AtEmptyPath, StatxUid | StatxGid, ref MemoryMarshal.GetReference(statx)) != 0)
        {
            // Unknown owner: created files stay root's, as they were before the tool gave them away.
            return null;
        }

        // struct statx: stx_uid is the u32 at offset 20, stx_gid the u32 at offset 24.
        var owner = new WorkspaceOwner(BitConverter.ToUInt32(statx[20..24]), BitConverter.ToUInt32(statx[24..28]));
        return owner.Uid == 0 ? null : owner;
    }

    /// <summary>
    /// Gives the file or folder the tool has just created, open as <paramref name="created"/>, to this owner. Best
    /// effort: a file system that keeps no owners or refuses root's change (a root-squashing NFS mount) leaves it as the
    /// kernel made it, which is how the tool wrote it before, and the write itself goes on.
    /// </summary>
    public void Give(SafeFileHandle created) => _ = NativeMethods.Fchown(created, Uid, Gid);

    private const int AtEmptyPath = 0x1000;
    private const uint StatxUid = 0x8, StatxGid = 0x10;

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "geteuid")]
        public static partial uint Geteuid();

        [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Statx(SafeFileHandle folder, string path, int flags, uint mask, ref byte buffer);

        [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
        public static partial int Fchown(SafeFileHandle handle, uint owner, uint group);
    }
}
