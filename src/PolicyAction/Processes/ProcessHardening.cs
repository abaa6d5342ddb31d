using System.Runtime.InteropServices;

namespace PolicyAction.Processes;

/// <summary>
/// Keeps the tool's own process out of its children's reach: non-dumpable (<c>prctl(PR_SET_DUMPABLE, 0)</c>), so a
/// child without <c>CAP_SYS_PTRACE</c> (which root in a container lacks by default) cannot read the tool's
/// <c>/proc/PID/environ</c> (the token, the runner's file-command paths) or its memory, nor attach to it. A child's
/// own dumpable flag is reset by <c>execve</c>, so the tool can still read its children's <c>/proc</c> entries.
/// </summary>
internal static partial class ProcessHardening
{
    private const int PrSetDumpable = 4;
    private const int PrGetDumpable = 3;

    private static int _applied;

    /// <summary>Makes the process non-dumpable, once; before the first child starts. False where the kernel refuses or is not Linux.</summary>
    public static bool MakeNonDumpable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        if (Volatile.Read(ref _applied) == 1)
        {
            return true;
        }

        var ok = NativeMethods.Prctl(PrSetDumpable, 0, 0, 0, 0) == 0;
        if (ok)
        {
            Volatile.Write(ref _applied, 1);
        }

        return ok;
    }

    private const int PrSetChildSubreaper = 36;

    /// <summary>
    /// Makes the process a child subreaper (<c>prctl(PR_SET_CHILD_SUBREAPER, 1)</c>): an orphaned descendant is
    /// reparented to it instead of to init, so <see cref="OrphanReaper"/> can find and kill it. False where refused.
    /// </summary>
    public static bool BecomeSubreaper() => OperatingSystem.IsLinux() && NativeMethods.Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>Whether the process is dumpable now (1) or not (0); -1 off Linux.</summary>
    public static int Dumpable() => OperatingSystem.IsLinux() ? NativeMethods.Prctl(PrGetDumpable, 0, 0, 0, 0) : -1;

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
        public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    }
}
