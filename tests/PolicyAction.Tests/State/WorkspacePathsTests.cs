using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

public class WorkspacePathsTests
{
    [Theory]
    [InlineData("mirrors/anchor_chain.json", null)]
    [InlineData("./mirrors/../mirrors/a.json", null)]
    [InlineData("a", null)]
    [InlineData("", "empty")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("~/x", "absolute")]
    [InlineData("../x", "outside")]
    [InlineData("a/../../x", "outside")]
    [InlineData("a/..", "workspace itself")]
    [InlineData(".", "workspace itself")]
    [InlineData(".git/config", ".git")]
    [InlineData("./.git/hooks/pre-commit", ".git")]
    [InlineData("vendor/other/.git/config", ".git")]
    [InlineData("vendor/lib/.git/hooks/post-checkout", ".git")]
    [InlineData(".GIT/hooks/pre-commit", ".git")]
    [InlineData("a/.Git/config", ".git")]
    [InlineData("a/.git./config", ".git")]
    [InlineData("a/.git . ./config", ".git")]
    [InlineData("a/.git::$INDEX_ALLOCATION/config", ".git")]
    [InlineData("a/GIT~1/config", ".git")]
    [InlineData("a/git~1. /config", ".git")]
    [InlineData("a/.g\u200cit/hooks/x", ".git")]
    [InlineData("a/\ufeff.GIT/hooks/x", ".git")]
    [InlineData("a\\.git\\config", ".git")]
    [InlineData("a/.gitignore", null)]
    [InlineData("a/.github/workflows/x.yml", null)]
    [InlineData("a/git/config", null)]
    [InlineData("a/.git~1/config", null)]
    [InlineData("a/git~2/config", null)]
    [InlineData("a/x.git/config", null)]
    public void CheckRelative_accepts_only_paths_inside_the_workspace(string path, string? problem)
    {
        var result = WorkspacePaths.CheckRelative(path);
        if (problem is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(problem, result, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ResolveConfined_refuses_a_path_through_a_symlink()
    {
        using var workspace = new TempWorkspace();
        using var outside = new TempWorkspace();
        Directory.CreateSymbolicLink(workspace.PathOf("mirrors"), outside.Root);
        var paths = new WorkspacePaths(workspace.Root);

        var error = Assert.Throws<PolicyActionException>(() => paths.ResolveConfined("mirrors/anchor_chain.json"));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveConfined_returns_the_full_path_inside_the_workspace()
    {
        using var workspace = new TempWorkspace();
        var paths = new WorkspacePaths(workspace.Root);

        Assert.Equal(workspace.PathOf("mirrors/a.json"), paths.ResolveConfined("./mirrors//a.json"));
    }
}
