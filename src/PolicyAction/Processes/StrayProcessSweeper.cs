using System.Diagnostics;
using System.Text;

namespace PolicyAction.Processes;

/// <summary>
/// Finds and kills every process an action started, including the ones that left its tree: a grandchild that
/// double-forked or called <c>setsid</c> is reparented away from the action, so walking the tree misses it.
/// Each action runs with a cookie in its environment, which descendants inherit; on Linux <c>/proc/PID/environ</c>
/// shows it (the technique Jenkins' ProcessTreeKiller uses). A process that empties its own environment on exec
/// escapes this; documented in docs/security.md.
/// </summary>
internal static class StrayProcessSweeper
{
    public const string CookieVariable = "POLICY_RESPONSE_PROCESS_COOKIE";

    // A process may fork while being swept: sweep again until a round finds nothing, a bounded number of times.
    private const int MaxRounds = 10;

    public static string NewCookie() => Guid.NewGuid().ToString("N");

    /// <summary>Kills (SIGKILL) every live process other than this one that carries the cookie. Returns how many.</summary>
    public static int KillAll(string cookie)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var needle = Encoding.UTF8.GetBytes($"{CookieVariable}={cookie}\0");
        var killed = new HashSet<int>();
        for (var round = 0; round < MaxRounds; round++)
        {
            // A process signalled in an earlier round can still be listed until the kernel has torn it down.
            var fresh = Carrying(needle).Where(killed.Add).ToArray();
            if (fresh.Length == 0)
            {
                break;
            }

            foreach (var pid in fresh)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Gone already, or not ours to signal.
                    killed.Remove(pid);
                }
            }
        }

        return killed.Count;
    }

    private static List<int> Carrying(byte[] needle)
    {
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory.AsSpan()), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId)
            {
                continue;
            }

            byte[] environment;
            try
            {
                // A zombie's environment reads empty: it is already dead.
                environment = File.ReadAllBytes(Path.Combine(directory, "environ"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var at = environment.AsSpan().IndexOf(needle);
            if (at == 0 || (at > 0 && environment[at - 1] == 0))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }
}
