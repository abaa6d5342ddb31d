using System.Runtime.InteropServices;

namespace PolicyAction.Processes;

/// <summary>
/// With the tool a child subreaper (<c>prctl(PR_SET_CHILD_SUBREAPER)</c>), every process an action leaves behind comes
/// back to the tool as its child when its parent dies, however often it forks and exits (a pid-hopping child is
/// never where a scan of <c>/proc</c> looked, but it is always among the tool's children). Once the action has
/// exited, every child of the tool is a leftover of it (the tool runs one process at a time): each round kills and
/// reaps them all, and their own children come back for the next round, until a round finds none.
/// </summary>
internal static partial class OrphanReaper
{
    private const int SigKill = 9;
    private const int WNoHang = 1;

    // A chase that does not end (a fork bomb faster than the rounds) must not hold the run forever.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Kills and reaps every child of this process until none is left. Returns how many there were.</summary>
    public static int KillAll()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var killed = 0;
        var started = Environment.TickCount64;
        var emptyRounds = 0;

        // Two empty rounds: a child whose parent was reaped a moment ago is reparented by then.
        while (emptyRounds < 2 && Environment.TickCount64 - started < Deadline.TotalMilliseconds)
        {
            var children = Children();
            if (children.Count == 0)
            {
                emptyRounds++;
                continue;
            }

            emptyRounds = 0;
            foreach (var pid in children)
            {
                _ = NativeMethods.Kill(pid, SigKill);
            }

            foreach (var pid in children)
            {
                // Reaps it (a zombie otherwise), polling so that one stuck in the kernel cannot hold past the
                // deadline; ECHILD when someone else already did.
                while (NativeMethods.WaitPid(pid, out _, WNoHang) == 0 && Environment.TickCount64 - started < Deadline.TotalMilliseconds)
                {
                    Thread.Sleep(1);
                }

                killed++;
            }
        }

        return killed;
    }

    /// <summary>This process's children, from <c>/proc/self/task/*/children</c> (each thread lists the ones it is parent of).</summary>
    private static List<int> Children()
    {
        var pids = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                string text;
                try
                {
                    text = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(part, System.Globalization.CultureInfo.InvariantCulture, out var pid))
                    {
                        pids.Add(pid);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: the cookie sweep is all there is.
        }

        return pids;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static partial int Kill(int pid, int signal);

        [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
        public static partial int WaitPid(int pid, out int status, int options);
    }
}
