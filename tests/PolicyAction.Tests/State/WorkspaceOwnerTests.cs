using System.Text.Json.Nodes;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

/// <summary>
/// Run as root (as the container action is, and as this suite runs), the built tool gives every file and folder it
/// creates in a workspace that someone else owns (the runner's user, who owns the checkout) to that owner and group:
/// state, audit log segments and their folders, undo records, reports, the alert history, the lock file, files
/// replaced through a temp file, and what <c>init</c> scaffolds. Nothing outside the workspace changes, and what an
/// action itself creates keeps the owner it ran as.
/// </summary>
public sealed class WorkspaceOwnerTests : IDisposable
{
    // Not the tool's uid or gid, and different from each other, so a swapped pair is caught; no passwd entry needed.
    private const string RunnerUser = "1000:1001";
    private const string Root = "0:0";

    private readonly TempWorkspace _outside = new();

    public WorkspaceOwnerTests()
    {
        _outside.Write("neighbour.txt", "not the tool's\n");
    }

    public void Dispose() => _outside.Dispose();

    private string Checkout => _outside.PathOf("checkout");

    private Task<CliResult> Run(params string[] args) => ProcessCli.RunAsync(Checkout, null, [.. args, "--workspace", Checkout]);

    [Fact]
    public async Task Respond_undo_brake_and_alerts_give_everything_they_create_to_the_workspaces_owner()
    {
        using var workspace = ExampleWorkspace.Copy(Checkout);
        FillFirstSegment();
        await Chown(RunnerUser, Checkout);

        var applied = await Run("respond", "--policy", "RED", "--apply");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var undoRecord = Assert.Single(Directory.GetFiles(workspace.PathOf("state"), "policy_response_undo_*.json"));
        var responseId = Path.GetFileNameWithoutExtension(undoRecord)["policy_response_undo_".Length..];
        var undone = await Run("undo", responseId, "--apply");
        Assert.True(undone.ExitCode == 0, undone.ToString());
        var engaged = await Run("brake", "engage", "--reason", "INC-6");
        Assert.True(engaged.ExitCode == 0, engaged.ToString());
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var blocked = await Run("respond", "--policy", "RED", "--apply");
            Assert.True(blocked.ExitCode == ExitCodes.Blocked, blocked.ToString());
        }

        var alerts = await Run("alerts");
        Assert.True(alerts.ExitCode == 0, alerts.ToString());

        var owners = await Owners();
        AssertWritten(
            owners,
            [
                "state/.policy-response.lock",
                "state/policy_response_log",
                "state/policy_response_log/000",
                "state/policy_response_log/000/000002.jsonl",
                Path.GetRelativePath(Checkout, undoRecord),
                "mirrors/anchor_chain.json",
                "forensics/safety_brake_state.json",
                "reports/policy_response_blocked.json",
                "reports/policy_orchestration_alerts.json",
                "logs/policy_orchestration_alerts.jsonl",
            ]);
        AssertWorkspaceOwnedBy(RunnerUser, owners);
    }

    [Fact]
    public async Task The_action_run_gives_everything_it_creates_to_the_workspaces_owner()
    {
        using var workspace = ExampleWorkspace.Copy(Checkout);
        await Chown(RunnerUser, Checkout);
        using var runner = new RunnerSimulation(workspace);

        var result = await runner.WorkflowRun().Input("auto-apply", "true").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("apply", runner.Outputs()["mode"]);
        var owners = await Owners();
        AssertWritten(owners, "state/.policy-response.lock", "state/policy_response_log.jsonl");
        Assert.Single(owners.Keys, path => path.StartsWith("checkout/state/policy_response_undo_", StringComparison.Ordinal));
        AssertWorkspaceOwnedBy(RunnerUser, owners);
    }

    [Fact]
    public async Task Init_gives_the_configuration_workflows_state_and_their_folders_to_the_folders_owner()
    {
        using var workspace = new TempWorkspace(Checkout);
        await Chown(RunnerUser, Checkout);

        var init = await Run("init");

        Assert.True(init.ExitCode == 0, init.ToString());
        var owners = await Owners();
        AssertWritten(owners, ".github/workflows/policy_orchestration.yml", "forensics/safety_brake_state.json");
        AssertWorkspaceOwnedBy(RunnerUser, owners);
    }

    [Fact]
    public async Task What_an_action_creates_keeps_the_user_it_ran_as()
    {
        using var workspace = new TempWorkspace(Checkout).WithConfig("""
            version: 1
            levels:
              RED:
                - id: make_a_file
                  run: ["/bin/sh", "-c", "echo made > made_by_action.txt"]
            """);
        await Chown(RunnerUser, Checkout);

        var applied = await Run("respond", "--policy", "RED", "--apply");

        Assert.True(applied.ExitCode == 0, applied.ToString());
        var owners = await Owners();
        Assert.Equal(Root, owners["checkout/made_by_action.txt"]);
        Assert.Equal(RunnerUser, owners["checkout/state/policy_response_log.jsonl"]);
        AssertWorkspaceOwnedBy(RunnerUser, owners, except: "checkout/made_by_action.txt");
    }

    [Fact]
    public async Task In_a_workspace_root_owns_what_the_tool_creates_stays_roots()
    {
        using var workspace = ExampleWorkspace.Copy(Checkout);

        var engaged = await Run("brake", "engage", "--reason", "INC-6");

        Assert.True(engaged.ExitCode == 0, engaged.ToString());
        var owners = await Owners();
        AssertWritten(owners, "state/.policy-response.lock");
        AssertWorkspaceOwnedBy(Root, owners);
    }

    [Fact]
    public async Task Not_as_root_the_tool_works_as_before_and_what_it_creates_is_its_users()
    {
        using var workspace = ExampleWorkspace.Copy(Checkout);
        using var home = new TempWorkspace();
        await Chown(RunnerUser, Checkout);
        await Chown(RunnerUser, home.Root);
        using var tool = new UnprivilegedTool("1000", "1001");

        string[][] commands = [["respond", "--policy", "RED", "--apply"], ["brake", "engage", "--reason", "INC-6"], ["alerts"]];
        foreach (var args in commands)
        {
            var start = tool.StartInfo(Checkout, [.. args, "--workspace", Checkout]);
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
            start.Environment["HOME"] = home.Root;
            start.Environment["DOTNET_CLI_HOME"] = home.Root;
            start.Environment["GITHUB_ACTOR"] = "octocat";
            var result = await ExternalProcess.RunAsync(start, null);
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        // Engaged by uid 1000 (by its passwd name, or "uid 1000" without one), not by root.
        Assert.NotEqual("root", JsonNode.Parse(workspace.Read("forensics/safety_brake_state.json"))!["engaged_by"]!.GetValue<string>());
        var owners = await Owners();
        AssertWritten(owners, "state/.policy-response.lock", "state/policy_response_log.jsonl", "forensics/safety_brake_state.json", "reports/policy_orchestration_alerts.json");
        AssertWorkspaceOwnedBy(RunnerUser, owners);
    }

    /// <summary>Audit records from a month ago up to the seal size, so that the next record starts segment 2 in new folders.</summary>
    private void FillFirstSegment()
    {
        var log = new AuditLog(_outside.PathOf("checkout/state/policy_response_log.jsonl"));
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        for (var i = 0; !File.Exists(log.Path) || new FileInfo(log.Path).Length < AuditSegments.SealAt; i++)
        {
            log.Append(new AuditRecord
            {
                Timestamp = at.AddMinutes(i),
                Event = i % 2 == 0 ? AuditEvents.BrakeEngaged : AuditEvents.BrakeReleased,
                Actor = "octocat",
                Reason = new string('x', 2000),
            });
        }

        Assert.Single(log.Segments());
    }

    /// <summary>The tool wrote these (paths in the workspace), so the ownership checked covers them.</summary>
    private static void AssertWritten(IReadOnlyDictionary<string, string> owners, params string[] paths)
    {
        var missing = paths.Where(path => !owners.ContainsKey($"checkout/{path}")).ToArray();
        Assert.True(missing.Length == 0, $"not written: {string.Join(", ", missing)}; the workspace holds {string.Join(", ", owners.Keys)}");
    }

    /// <summary>The workspace and everything in it (but <paramref name="except"/>) owned as given; the folder around it and its neighbour still root's.</summary>
    private static void AssertWorkspaceOwnedBy(string owner, IReadOnlyDictionary<string, string> owners, string? except = null)
    {
        Assert.Equal(Root, owners[string.Empty]);
        Assert.Equal(Root, owners["neighbour.txt"]);
        Assert.Equal(["checkout", "neighbour.txt"], owners.Keys.Where(k => k.Length > 0 && !k.Contains('/', StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var wrong = owners.Where(e => (e.Key == "checkout" || e.Key.StartsWith("checkout/", StringComparison.Ordinal)) && e.Key != except && e.Value != owner)
            .Select(e => $"{e.Key} ({e.Value})")
            .ToArray();
        Assert.True(wrong.Length == 0, $"not owned by {owner}: {string.Join(", ", wrong)}");
    }

    /// <summary>Every entry below the outside folder (its own path relative to it; itself as ""), with its uid:gid.</summary>
    private async Task<Dictionary<string, string>> Owners()
    {
        var find = await ExternalProcess.RunAsync("/usr/bin/find", [_outside.Root, "-printf", "%P\\t%U:%G\\n"], _outside.Root);
        Assert.True(find.ExitCode == 0, find.ToString());
        return find.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
    }

    /// <summary>Gives the folder and everything in it to <paramref name="owner"/>, as a runner's checkout belongs to its user.</summary>
    private static async Task Chown(string owner, string folder)
    {
        var chown = await ExternalProcess.RunAsync("/bin/chown", ["-R", owner, folder], folder);
        Assert.True(chown.ExitCode == 0, chown.ToString());
    }
}
