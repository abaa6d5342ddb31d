using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Cli;

/// <summary>
/// Without --workspace or GITHUB_WORKSPACE, the built tool as a real process finds its workspace as git finds its
/// repository: up from the current folder to the first folder with the configuration, no further than the repository root.
/// </summary>
public sealed class WorkspaceDiscoveryTests : IDisposable
{
    private const string BrakeFile = "forensics/safety_brake_state.json";

    private readonly TempWorkspace _root = new TempWorkspace().WithConfig(TempWorkspace.MinimalConfig);

    public void Dispose() => _root.Dispose();

    /// <summary>A folder beneath the root, made if missing, to run the tool from.</summary>
    private string Folder(string relative) => Directory.CreateDirectory(_root.PathOf(relative)).FullName;

    /// <summary>Makes <paramref name="folder"/> a real git repository.</summary>
    private static async Task GitInit(string folder)
    {
        var init = await ExternalProcess.RunAsync("git", ["init", "-q", folder], folder);
        Assert.True(init.ExitCode == 0, init.ToString());
    }

    /// <summary>The tool run from <paramref name="folder"/> with no --workspace (ProcessCli removes GITHUB_WORKSPACE).</summary>
    private static Task<CliResult> From(string folder, params string[] args) => ProcessCli.RunAsync(folder, null, args);

    [Fact]
    public async Task From_a_subfolder_status_sees_the_brake_engaged_at_the_root_and_says_which_folder_it_uses()
    {
        Assert.Equal(0, (await ProcessCli.RunAsync(_root, "brake", "engage", "--reason", "incident 42")).ExitCode);

        var status = await From(Folder("anchors/deep"), "status");
        var brake = await From(Folder("anchors/deep"), "brake", "status");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("ENGAGED", status.Stdout, StringComparison.Ordinal);
        Assert.Contains($"workspace: {_root.Root} (found .github/policy-response.yml above the current folder)", status.Stderr, StringComparison.Ordinal);
        Assert.Contains("incident 42", brake.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task From_the_workspace_itself_nothing_more_is_printed()
    {
        var status = await From(_root.Root, "status");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.DoesNotContain("workspace:", status.Stderr + status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Brake_engage_from_a_subfolder_writes_the_brake_at_the_root()
    {
        var engage = await From(Folder("anchors"), "brake", "engage", "--reason", "incident 42");

        Assert.True(engage.ExitCode == 0, engage.ToString());
        Assert.True(_root.Exists(BrakeFile), engage.ToString());
        Assert.False(Directory.Exists(_root.PathOf("anchors/forensics")), "a second brake was written in the subfolder");
        Assert.Contains("brake_engaged", _root.Read("state/policy_response_log.jsonl"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_configuration_up_to_the_file_system_root_it_fails_naming_the_folder_and_writes_nothing()
    {
        using var bare = new TempWorkspace();
        var folder = Directory.CreateDirectory(bare.PathOf("sub")).FullName;

        var engage = await From(folder, "brake", "engage", "--reason", "incident 42");
        var status = await From(folder, "status");

        Assert.Equal(2, engage.ExitCode);
        Assert.Equal(2, status.ExitCode);
        Assert.Contains(
            $"error: no .github/policy-response.yml in {folder} or any folder above it up to the file system root: this is not a policy-response workspace. Run 'policy-response init' to set one up, or pass --workspace DIR",
            engage.Stderr,
            StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_walk_stops_at_the_repository_root_a_git_folder_or_a_git_file(bool gitIsAFolder)
    {
        // A repository nested in a folder that has a configuration: the configuration above is not this repository's.
        var repository = Folder("nested");
        if (gitIsAFolder)
        {
            Directory.CreateDirectory(Path.Combine(repository, ".git"));
        }
        else
        {
            _root.Write("nested/.git", "gitdir: /elsewhere/.git/worktrees/nested\n");
        }

        var engage = await From(Folder("nested/sub"), "brake", "engage", "--reason", "incident 42");

        Assert.Equal(2, engage.ExitCode);
        Assert.Contains($"up to the repository root {repository}: this is not a policy-response workspace", engage.Stderr, StringComparison.Ordinal);
        Assert.False(_root.Exists(BrakeFile));
    }

    [Fact]
    public async Task A_configuration_that_is_a_dangling_link_stops_the_walk_and_fails_naming_it()
    {
        // Taking it for no configuration would send the walk on to the folder above, whose state is not this one's.
        var inner = Folder("inner");
        Directory.CreateDirectory(Path.Combine(inner, ".github"));
        File.CreateSymbolicLink(Path.Combine(inner, ".github/policy-response.yml"), Path.Combine(inner, "gone.yml"));

        var respond = await From(Folder("inner/sub"), "respond", "--policy", "RED");

        Assert.Equal(2, respond.ExitCode);
        Assert.Contains($"workspace: {inner} (found", respond.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(inner, ".github/policy-response.yml"), respond.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_at_the_repository_root_is_found()
    {
        Directory.CreateDirectory(_root.PathOf(".git"));

        var status = await From(Folder("a/b"), "status");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains($"workspace: {_root.Root} (found", status.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_config_is_taken_from_the_workspace_not_the_current_folder()
    {
        // A repository without the default configuration: with --config, its root is the workspace.
        using var workspace = new TempWorkspace().Write("ci/policy.yml", TempWorkspace.MinimalConfig);
        await GitInit(workspace.Root);
        var folder = Directory.CreateDirectory(workspace.PathOf("sub")).FullName;

        var given = await ProcessCli.RunAsync(folder, null, "respond", "--policy", "RED", "--config", "ci/policy.yml", "--workspace", workspace.Root);
        var found = await From(folder, "respond", "--policy", "RED", "--config", "ci/policy.yml");

        Assert.True(given.ExitCode == 0, given.ToString());
        Assert.Contains("say_red", given.Stdout, StringComparison.Ordinal);
        Assert.Contains($"workspace: {workspace.Root} (from --workspace); --config ci/policy.yml is read from it: {workspace.PathOf("ci/policy.yml")}", given.Stderr, StringComparison.Ordinal);
        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Contains($"workspace: {workspace.Root} (the repository root above the current folder); --config ci/policy.yml is read from it: {workspace.PathOf("ci/policy.yml")}", found.Stderr, StringComparison.Ordinal);
        Assert.Contains("say_red", found.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_relative_config_that_matches_from_the_current_folder_does_not_make_it_the_workspace()
    {
        // It once did: the walk looked for the --config path itself, found ../../alt.yml (and a/b/local.yml) from a/b,
        // and a/b became the workspace, where the brake was off and a second one was engaged.
        await GitInit(_root.Root);
        _root.Write("alt.yml", TempWorkspace.MinimalConfig).Write("a/b/local.yml", TempWorkspace.MinimalConfig);
        Assert.Equal(0, (await ProcessCli.RunAsync(_root, "brake", "engage", "--reason", "incident 42")).ExitCode);
        var folder = Folder("a/b");

        var status = await From(folder, "status", "--config", "alt.yml");
        var escaping = await From(folder, "status", "--config", "../../alt.yml");
        var engage = await From(folder, "brake", "engage", "--config", "local.yml", "--reason", "x");

        Assert.Equal(["local.yml"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
        Assert.Equal(2, escaping.ExitCode);
        Assert.DoesNotContain("safety brake off", escaping.Stdout, StringComparison.Ordinal);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("ENGAGED", status.Stdout, StringComparison.Ordinal);
        Assert.Contains($"workspace: {_root.Root} (found .github/policy-response.yml above the current folder); --config alt.yml is read from it: {_root.PathOf("alt.yml")}", status.Stderr, StringComparison.Ordinal);
        Assert.Contains(
            $"error: --config ../../alt.yml leaves the workspace {_root.Root} (found .github/policy-response.yml above the current folder): a relative --config is read from the workspace, not from the current folder. Give the path relative to the workspace, or an absolute path",
            escaping.Stderr,
            StringComparison.Ordinal);
        Assert.True(engage.ExitCode == 0, engage.ToString());
        Assert.Contains("safety brake is already engaged", engage.Stdout, StringComparison.Ordinal);
        Assert.Contains($"workspace: {_root.Root} (found .github/policy-response.yml above the current folder); --config local.yml is read from it: {_root.PathOf("local.yml")}", engage.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_config_from_the_workspace_itself_says_which_workspace_it_is_read_from()
    {
        var status = await From(_root.Root, "status", "--config", ".github/policy-response.yml");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains(
            $"workspace: {_root.Root} (.github/policy-response.yml is here); --config .github/policy-response.yml is read from it: {_root.PathOf(".github/policy-response.yml")}",
            status.Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_config_outside_a_repository_and_a_workspace_fails_as_without_it()
    {
        using var bare = new TempWorkspace().Write("ci/policy.yml", TempWorkspace.MinimalConfig);
        var folder = Directory.CreateDirectory(bare.PathOf("sub")).FullName;

        var status = await From(folder, "status", "--config", "../ci/policy.yml");

        Assert.Equal(2, status.ExitCode);
        Assert.Contains($"error: no .github/policy-response.yml in {folder} or any folder above it up to the file system root", status.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task An_absolute_config_stays_absolute()
    {
        using var elsewhere = new TempWorkspace().Write("policy.yml", TempWorkspace.MinimalConfig.Replace("say_red", "say_elsewhere", StringComparison.Ordinal));

        var respond = await From(Folder("sub"), "respond", "--policy", "RED", "--config", elsewhere.PathOf("policy.yml"));

        Assert.True(respond.ExitCode == 0, respond.ToString());
        Assert.Contains("say_elsewhere", respond.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_in_a_subfolder_of_a_repository_scaffolds_the_repository_root()
    {
        using var repository = new TempWorkspace();
        Directory.CreateDirectory(repository.PathOf(".git"));
        var folder = Directory.CreateDirectory(repository.PathOf("docs/guide")).FullName;

        var init = await From(folder, "init");

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Contains($"workspace: {repository.Root} (the repository root above the current folder)", init.Stderr, StringComparison.Ordinal);
        Assert.True(repository.Exists(".github/policy-response.yml"));
        Assert.True(repository.Exists(BrakeFile));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task Init_outside_a_repository_scaffolds_the_current_folder_and_inside_a_workspace_finds_it()
    {
        using var plain = new TempWorkspace();
        var folder = Directory.CreateDirectory(plain.PathOf("here")).FullName;

        var first = await From(folder, "init");
        var again = await From(Path.Combine(folder, "state"), "init");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.DoesNotContain("workspace:", first.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, ".github/policy-response.yml")));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"workspace: {folder} (found .github/policy-response.yml above the current folder)", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("unchanged .github/policy-response.yml", again.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "state/.github")));
    }
}
