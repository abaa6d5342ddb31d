using System.Diagnostics;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// An action cannot read the tool's own environment (the token) through <c>/proc/PPID/environ</c>: the tool makes
/// itself non-dumpable before it starts a child. Run as an unprivileged user (as in a container whose root lacks
/// CAP_SYS_PTRACE), where the same user may read a dumpable parent.
/// </summary>
public sealed class ParentProcessTests : IDisposable
{
    private const string Secret = "ghs_PARENT0123456789abcdefSECRET";
    private const string Nobody = "65534";

    private readonly TempWorkspace _workspace = ExampleWorkspace.Copy();
    private readonly TempWorkspace _tool = new();

    public void Dispose()
    {
        _workspace.Dispose();
        _tool.Dispose();
    }

    [Fact]
    public async Task An_action_running_as_the_tools_user_cannot_read_the_tools_environment_through_proc()
    {
        _workspace.Write(".github/policy-response.yml", """
            version: 1
            levels:
              RED:
                - id: read_parent
                  run: ["/bin/sh", "-c", "cat /proc/$PPID/environ > leaked.txt 2>&1; echo read-done >> leaked.txt"]
            """);
        OpenTo(_workspace.Root);

        var inner = Reachable(ProcessCli.StartInfo(_workspace.Root, ["respond", "--apply", "--policy", "RED", "--workspace", _workspace.Root]));
        var start = new ProcessStartInfo("/usr/bin/setpriv") { WorkingDirectory = _workspace.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", inner.FileName, .. inner.ArgumentList])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = _workspace.Root,
            ["DOTNET_CLI_HOME"] = _workspace.Root,
            ["GITHUB_TOKEN"] = Secret,
            ["GITHUB_ACTOR"] = "octocat",
        })
        {
            start.Environment[name] = value;
        }

        var result = await ExternalProcess.RunAsync(start, null);

        Assert.True(result.ExitCode == 0, result.ToString());
        var leaked = _workspace.Read("leaked.txt");
        Assert.Contains("read-done", leaked, StringComparison.Ordinal);
        Assert.Contains("Permission denied", leaked, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, leaked, StringComparison.Ordinal);
        Assert.DoesNotContain("GITHUB_ACTOR", leaked, StringComparison.Ordinal);
    }

    /// <summary>
    /// The tool as the unprivileged user can run it: where it is, if that user can read it there, else a copy (the
    /// native binary, or the JIT build's folder) in a folder open to it.
    /// </summary>
    private ProcessStartInfo Reachable(ProcessStartInfo inner)
    {
        var jit = inner.FileName == "dotnet";
        var file = jit ? inner.ArgumentList[0] : inner.FileName;
        if (NobodyCanRead(file))
        {
            return inner;
        }

        var from = Path.GetDirectoryName(file)!;
        foreach (var source in jit ? Directory.EnumerateFiles(from) : [file])
        {
            File.Copy(source, _tool.PathOf(Path.GetFileName(source)));
        }

        OpenTo(_tool.Root);
        var copy = _tool.PathOf(Path.GetFileName(file));
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

    private static bool NobodyCanRead(string file)
    {
        var check = new ProcessStartInfo("/usr/bin/setpriv") { UseShellExecute = false };
        foreach (var arg in (string[])[$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "/usr/bin/test", "-r", file])
        {
            check.ArgumentList.Add(arg);
        }

        using var process = Process.Start(check)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    /// <summary>The unprivileged user may write the workspace, as the runner's user owns its checkout.</summary>
    private static void OpenTo(string root)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
        {
            File.SetUnixFileMode(path, Directory.Exists(path)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        }
    }
}
