using PolicyAction.Processes;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Processes;

public sealed class ExecutableResolverTests : IDisposable
{
    // A workspace with a node_modules/.bin/sha256sum of its own, and a folder outside it for PATH entries and links.
    private readonly TempWorkspace _workspace = new TempWorkspace().Write("node_modules/.bin/sha256sum", "#!/bin/sh\necho pwned\n");
    private readonly TempWorkspace _outside = new();

    public ExecutableResolverTests()
    {
        File.SetUnixFileMode(_workspace.PathOf("node_modules/.bin/sha256sum"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Directory.CreateDirectory(_outside.PathOf("bin"));
    }

    public void Dispose()
    {
        _workspace.Dispose();
        _outside.Dispose();
    }

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

    [Fact]
    public void A_PATH_entry_that_links_into_the_workspace_is_skipped()
    {
        Directory.CreateSymbolicLink(_outside.PathOf("linked-bin"), _workspace.PathOf("node_modules/.bin"));

        var (path, problem) = new ExecutableResolver($"{_outside.PathOf("linked-bin")}:/usr/bin", _workspace.Root).Resolve("sha256sum");

        Assert.Equal(("/usr/bin/sha256sum", (string?)null), (path, problem));
    }

    [Fact]
    public void A_workspace_given_through_a_link_still_covers_its_real_folder_on_PATH()
    {
        Directory.CreateSymbolicLink(_outside.PathOf("checkout"), _workspace.Root);

        var (path, problem) = new ExecutableResolver($"{_workspace.PathOf("node_modules/.bin")}:/usr/bin", _outside.PathOf("checkout")).Resolve("sha256sum");

        Assert.Equal(("/usr/bin/sha256sum", (string?)null), (path, problem));
    }

    [Fact]
    public void A_program_that_links_into_the_workspace_is_skipped_for_a_later_PATH_entry()
    {
        File.CreateSymbolicLink(_outside.PathOf("bin/sha256sum"), _workspace.PathOf("node_modules/.bin/sha256sum"));

        var (path, problem) = new ExecutableResolver($"{_outside.PathOf("bin")}:/usr/bin", _workspace.Root).Resolve("sha256sum");

        Assert.Equal(("/usr/bin/sha256sum", (string?)null), (path, problem));
    }

    [Fact]
    public void A_program_that_links_outside_the_workspace_resolves_to_the_link_by_its_own_name()
    {
        File.CreateSymbolicLink(_outside.PathOf("bin/sha256sum"), "/usr/bin/sha256sum");

        var (path, problem) = new ExecutableResolver($"{_outside.PathOf("bin")}:/usr/bin", _workspace.Root).Resolve("sha256sum");

        Assert.Equal((_outside.PathOf("bin/sha256sum"), (string?)null), (path, problem));
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
