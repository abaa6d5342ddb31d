using System.Diagnostics;

namespace PolicyAction.Tests.Support;

/// <summary>
/// The built tool started as an unprivileged user with <c>setpriv</c> (the suite runs as root, so it can): where it
/// is, if that user can read it there, else a copy (the native binary, or the JIT build's folder) in a folder open to
/// it. The uid and gid need no passwd entry.
/// </summary>
internal sealed class UnprivilegedTool(string uid, string gid) : IDisposable
{
    private readonly TempWorkspace _copy = new();

    public void Dispose() => _copy.Dispose();

    /// <summary>How to start the tool with <paramref name="args"/> as the user; <paramref name="setpriv"/>: more of setpriv's options (dropping capabilities).</summary>
    public ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args, IEnumerable<string>? setpriv = null)
    {
        var inner = Reachable(ProcessCli.StartInfo(workingDirectory, args));
        var start = new ProcessStartInfo("/usr/bin/setpriv") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[$"--reuid={uid}", $"--regid={gid}", "--clear-groups", .. setpriv ?? [], inner.FileName, .. inner.ArgumentList])
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Lets every user read, write and enter the folder and everything in it.</summary>
    public static void OpenToEveryone(string root)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
        {
            File.SetUnixFileMode(path, Directory.Exists(path)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        }
    }

    private ProcessStartInfo Reachable(ProcessStartInfo inner)
    {
        var jit = inner.FileName == "dotnet";
        var file = jit ? inner.ArgumentList[0] : inner.FileName;
        if (CanRead(file))
        {
            return inner;
        }

        var copy = _copy.PathOf(Path.GetFileName(file));
        if (!File.Exists(copy))
        {
            var from = Path.GetDirectoryName(file)!;
            foreach (var source in jit ? Directory.EnumerateFiles(from) : [file])
            {
                File.Copy(source, _copy.PathOf(Path.GetFileName(source)));
            }

            OpenToEveryone(_copy.Root);
        }

        if (jit)
        {
            inner.ArgumentList[0] = copy;
        }
        else
        {
            File.SetUnixFileMode(copy, File.GetUnixFileMode(copy) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            inner.FileName = copy;
        }

        return inner;
    }

    private bool CanRead(string file)
    {
        var check = new ProcessStartInfo("/usr/bin/setpriv") { UseShellExecute = false };
        foreach (var arg in (string[])[$"--reuid={uid}", $"--regid={gid}", "--clear-groups", "/usr/bin/test", "-r", file])
        {
            check.ArgumentList.Add(arg);
        }

        using var process = Process.Start(check)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
