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
    private readonly UnprivilegedTool _tool = new(Nobody, Nobody);

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
        UnprivilegedTool.OpenToEveryone(_workspace.Root);

        var start = _tool.StartInfo(_workspace.Root, ["respond", "--apply", "--policy", "RED", "--workspace", _workspace.Root], ["--inh-caps=-all", "--bounding-set=-all"]);
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
}
