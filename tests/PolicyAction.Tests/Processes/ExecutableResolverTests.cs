using PolicyAction.Processes;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Processes;

public class ExecutableResolverTests
{
    [Fact]
    public void An_absolute_executable_is_used_as_it_is()
    {
        using var workspace = new TempWorkspace();

        Assert.Equal(("/bin/sh", (string?)null), new ExecutableResolver("/usr/bin", workspace.Root).Resolve("/bin/sh"));
    }

    [Fact]
    public void A_bare_name_is_found_on_an_absolute_PATH_entry()
    {
        using var workspace = new TempWorkspace();

        var (path, _) = new ExecutableResolver("/nonexistent:/bin", workspace.Root).Resolve("sh");

        Assert.Equal("/bin/sh", path);
    }

    [Fact]
    public void Relative_and_workspace_PATH_entries_are_never_searched()
    {
        using var workspace = new TempWorkspace();
        workspace.Write("bin/sha256sum", "#!/bin/sh\necho pwned\n");
        workspace.Write("sha256sum", "#!/bin/sh\necho pwned\n");
        File.SetUnixFileMode(workspace.PathOf("bin/sha256sum"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        File.SetUnixFileMode(workspace.PathOf("sha256sum"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = workspace.Root;
        try
        {
            var resolver = new ExecutableResolver($".::bin:{workspace.PathOf("bin")}:/usr/bin", workspace.Root);

            var (path, problem) = resolver.Resolve("sha256sum");

            Assert.Equal("/usr/bin/sha256sum", path);
            Assert.Null(problem);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Theory]
    [InlineData("scripts/fix.sh", "relative path")]
    [InlineData("/nonexistent/tool", "does not exist")]
    [InlineData("no-such-command-anywhere", "not found on PATH")]
    public void Unusable_programs_are_explained(string program, string words)
    {
        using var workspace = new TempWorkspace();

        var (path, problem) = new ExecutableResolver("/usr/bin:/bin", workspace.Root).Resolve(program);

        Assert.Null(path);
        Assert.Contains(words, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_execute_permission_is_not_executable()
    {
        using var workspace = new TempWorkspace();
        workspace.Write("tool", "data");

        var (path, _) = new ExecutableResolver(null, "/").Resolve(workspace.PathOf("tool"));

        Assert.Null(path);
    }
}
