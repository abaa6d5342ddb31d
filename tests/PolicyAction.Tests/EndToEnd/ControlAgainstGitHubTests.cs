using System.Text;
using System.Text.Json.Nodes;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>
/// The control commands (what workflows/policy_control.yml runs) as the runner runs the action, against the API
/// double: each changes the state as its CLI command would and commits it, naming the actor and the run; the
/// next run, from a fresh checkout, sees it.
/// </summary>
public sealed class ControlAgainstGitHubTests : AgainstTheDouble
{
    private const string StateBranch = "policy-response-state";
    private const string RunUrl = "https://github.com/octo-org/octo-repo/actions/runs/9001";
    private const string OtherLockId = "3f2a9c1e-1111-4222-8333-444455556666";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Iso(DateTimeOffset time) => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    private RunnerSimulation Control(TempWorkspace workspace, string command, string reason = "INC-42 paged at 3am") =>
        DoubleWorkspace.Runner(GitHubDouble, workspace)
            .Event("workflow_dispatch", """{"inputs": {}, "repository": {"default_branch": "main"}}""")
            .Input("command", command)
            .Input("reason", reason);

    private async Task<(CliResult Result, Dictionary<string, string> Outputs, string Summary)> RunControlAsync(string command, Action<RunnerSimulation>? inputs = null, string branch = "main")
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble, branch);
        using var runner = Control(workspace, command);
        inputs?.Invoke(runner);
        var result = await runner.RunAsync();
        return (result, runner.Outputs(), runner.Summary());
    }

    /// <summary>An applied response, committed to the branch as the response runner commits it; returns its id.</summary>
    private async Task<string> ApplyAsync(string? commitBranch = null)
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");
        if (commitBranch is not null)
        {
            runner.Input("commit-branch", commitBranch);
        }

        var result = await runner.RunAsync();
        Assert.True(result.ExitCode == 0 && runner.Outputs()["mode"] == "apply", result.ToString());
        return runner.Outputs()["response-id"];
    }

    private static JsonObject LastRecord(string[] lines, string eventName) =>
        JsonNode.Parse(lines.Last(l => l.Contains($"\"event\":\"{eventName}\"", StringComparison.Ordinal)))!.AsObject();

    private JsonObject BranchJson(string path, string branch = "main") => JsonNode.Parse(GitHubDouble.ReadFile(branch, path)!)!.AsObject();

    /// <summary>Sets up what a command acts on (on main), runs nothing; returns the action's extra inputs.</summary>
    private async Task<Action<RunnerSimulation>?> ArrangeAsync(string command)
    {
        var now = DateTimeOffset.UtcNow;
        switch (command)
        {
            case "brake-release":
                GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = Utf8($$"""{"is_engaged": true, "engaged_at": "{{Iso(now.AddHours(-1))}}", "engaged_by": "octocat", "reason": "INC-41"}""") }, "brake engaged");
                return null;
            case "trust-unlock":
                GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.TrustLockPath] = Utf8($$"""{"locked": true, "lock_id": "{{OtherLockId}}", "reason": "INC-41", "locked_at": "{{Iso(now.AddHours(-1))}}", "locked_by": "octocat"}""") }, "trust locked");
                return null;
            case "trust-force-unlock":
                GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.TrustLockPath] = Utf8($$"""{"locked": true, "lock_id": "{{OtherLockId}}", "reason": "INC-41", "locked_at": "{{Iso(now.AddHours(-1))}}", "locked_by": "someone-else"}""") }, "trust locked");
                return runner => runner.Input("lock-id", OtherLockId);
            case "undo":
                var applied = await ApplyAsync();
                return runner => runner.Input("response-id", applied);
            case "acknowledge":
                // A response that started and never finished (its runner was lost), as main's log records it.
                using (var scratch = DoubleWorkspace.Checkout(GitHubDouble))
                {
                    var store = new StateStore(new WorkspacePaths(scratch.Root));
                    var interrupted = Guid.NewGuid();
                    store.AuditLog.Append(new AuditRecord { Timestamp = now.AddMinutes(-30), Event = AuditEvents.ResponseStarted, Actor = "octocat", ResponseId = interrupted, Policy = "RED", Mode = "apply", ActionsPlanned = 3 });
                    GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.AuditLogPath] = scratch.ReadBytes(WorkspacePaths.AuditLogPath) }, "a response that never finished");
                    return runner => runner.Input("response-id", interrupted.ToString("D"));
                }

            default:
                return null;
        }
    }

    [Theory]
    [InlineData("brake-engage", "brake_engaged", WorkspacePaths.SafetyBrakePath)]
    [InlineData("brake-release", "brake_released", WorkspacePaths.SafetyBrakePath)]
    [InlineData("trust-lock", "trust_locked", WorkspacePaths.TrustLockPath)]
    [InlineData("trust-unlock", "trust_unlocked", WorkspacePaths.TrustLockPath)]
    [InlineData("trust-force-unlock", "trust_force_unlocked", WorkspacePaths.TrustLockPath)]
    [InlineData("undo", "undo_applied", "state/policy_response_undo_")]
    [InlineData("acknowledge", "interruption_acknowledged", null)]
    public async Task Each_command_changes_the_state_and_commits_it_to_the_branch_naming_the_actor_and_the_run(string command, string eventName, string? stateFile)
    {
        var inputs = await ArrangeAsync(command);
        var before = GitHubDouble.BranchHead("main");

        var (result, outputs, summary) = await RunControlAsync(command, inputs);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEqual(before, GitHubDouble.BranchHead("main"));
        Assert.Equal(GitHubDouble.BranchHead("main"), outputs["commit-sha"]);
        var record = LastRecord(GitHubDouble.AuditLines("main"), eventName);
        Assert.Equal("octocat", record["actor"]!.GetValue<string>());
        Assert.Equal(RunUrl, record["run_url"]!.GetValue<string>());
        Assert.Equal("INC-42 paged at 3am", record["reason"]!.GetValue<string>());
        Assert.True(GitHubDouble.VerifyAuditLog("main").Intact);

        var commit = GitHubDouble.History("main")[0];
        Assert.StartsWith($"policy-response: {command}\n", commit.Message, StringComparison.Ordinal);
        Assert.Contains("Reason: INC-42 paged at 3am\nActor: octocat\n", commit.Message, StringComparison.Ordinal);
        Assert.Contains($"Run: {RunUrl}", commit.Message, StringComparison.Ordinal);
        Assert.Contains("Audit log checkpoint: ", commit.Message, StringComparison.Ordinal);
        if (stateFile is not null)
        {
            Assert.Contains(stateFile, result.Stdout + commit.Message + summary, StringComparison.Ordinal);
            Assert.Contains($"`{stateFile}", summary, StringComparison.Ordinal);
        }

        Assert.StartsWith($"## Policy control: {command}\n", summary, StringComparison.Ordinal);
        Assert.Contains($"**Committed** to `main`: `{outputs["commit-sha"]}`", summary, StringComparison.Ordinal);
        Assert.Contains("by octocat · reason: INC-42 paged at 3am", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("gh workflow run", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("commit and push", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_branch_holds_each_commands_state_as_the_cli_would_write_it()
    {
        var (engaged, _, _) = await RunControlAsync("brake-engage");
        Assert.True(engaged.ExitCode == 0, engaged.ToString());
        var brake = BranchJson(WorkspacePaths.SafetyBrakePath);
        Assert.True(brake["is_engaged"]!.GetValue<bool>());
        Assert.Equal(("octocat", "INC-42 paged at 3am"), (brake["engaged_by"]!.GetValue<string>(), brake["reason"]!.GetValue<string>()));

        var (locked, _, lockSummary) = await RunControlAsync("trust-lock");
        Assert.True(locked.ExitCode == 0, locked.ToString());
        var trust = BranchJson(WorkspacePaths.TrustLockPath);
        Assert.True(trust["locked"]!.GetValue<bool>());
        Assert.Contains($"lock id {trust["lock_id"]!.GetValue<string>()}", lockSummary, StringComparison.Ordinal);

        var (released, _, _) = await RunControlAsync("brake-release");
        Assert.True(released.ExitCode == 0, released.ToString());
        Assert.False(BranchJson(WorkspacePaths.SafetyBrakePath)["is_engaged"]!.GetValue<bool>());
        Assert.Equal("octocat", BranchJson(WorkspacePaths.SafetyBrakePath)["released_by"]!.GetValue<string>());

        // Still locked: the brake's commits left the trust lock the earlier one committed.
        Assert.True(BranchJson(WorkspacePaths.TrustLockPath)["locked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task After_brake_engage_from_the_action_a_response_run_from_a_fresh_checkout_is_blocked()
    {
        var (engaged, _, _) = await RunControlAsync("brake-engage");
        Assert.True(engaged.ExitCode == 0, engaged.ToString());

        using var fresh = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, fresh).WorkflowRun(runId: 9002).Input("auto-apply", "true");
        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("true", runner.Outputs()["blocked"]);
        Assert.Contains("safety_brake", runner.Outputs()["blocked-by"], StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubDouble.AuditLines("main"), l => l.Contains("\"event\":\"action_finished\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Engaging_a_brake_already_engaged_commits_nothing_and_says_so()
    {
        await ArrangeAsync("brake-release");
        var before = GitHubDouble.BranchHead("main");

        var (result, outputs, summary) = await RunControlAsync("brake-engage");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(before, GitHubDouble.BranchHead("main"));
        Assert.Equal(string.Empty, outputs["commit-sha"]);
        Assert.Contains("Safety brake is already engaged", summary, StringComparison.Ordinal);
        Assert.Contains("**Nothing to commit:**", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_state_branch_the_brake_is_engaged_there_main_is_untouched_and_the_next_run_is_blocked()
    {
        var main = GitHubDouble.BranchHead("main");

        var (engaged, outputs, summary) = await RunControlAsync("brake-engage", runner => runner.Input("commit-branch", StateBranch));

        Assert.True(engaged.ExitCode == 0, engaged.ToString());
        Assert.Equal(main, GitHubDouble.BranchHead("main"));
        Assert.Equal(GitHubDouble.BranchHead(StateBranch), outputs["commit-sha"]);
        Assert.True(BranchJson(WorkspacePaths.SafetyBrakePath, StateBranch)["is_engaged"]!.GetValue<bool>());
        Assert.Equal(RunUrl, LastRecord(GitHubDouble.AuditLines(StateBranch), "brake_engaged")["run_url"]!.GetValue<string>());
        Assert.Contains($"**Committed** to `{StateBranch}`", summary, StringComparison.Ordinal);

        using var fresh = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, fresh).WorkflowRun(runId: 9002).Input("auto-apply", "true").Input("commit-branch", StateBranch);
        var result = await runner.RunAsync();
        Assert.Equal("true", runner.Outputs()["blocked"]);
        Assert.Contains("safety_brake", runner.Outputs()["blocked-by"], StringComparison.Ordinal);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task With_a_state_branch_undo_reads_the_undo_record_from_the_branch_and_marks_it_undone_there()
    {
        var responseId = await ApplyAsync(StateBranch);
        var record = $"state/policy_response_undo_{responseId}.json";
        Assert.Null(GitHubDouble.ReadFile("main", record));

        var (undone, outputs, summary) = await RunControlAsync("undo", runner => runner.Input("commit-branch", StateBranch).Input("response-id", responseId));

        Assert.True(undone.ExitCode == 0, undone.ToString());
        Assert.Equal(GitHubDouble.BranchHead(StateBranch), outputs["commit-sha"]);
        Assert.Equal("undone", BranchJson(record, StateBranch)["status"]!.GetValue<string>());
        Assert.Equal("octocat", LastRecord(GitHubDouble.AuditLines(StateBranch), "undo_applied")["actor"]!.GetValue<string>());
        Assert.Contains("**No file was restored:** every path the response changed already holds its original on the branch", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("mirrors/", summary.Split("**Committed**")[1].Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_command_without_a_reason_exits_2_naming_the_input_and_writes_nothing()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Control(workspace, "brake-engage", reason: " ");

        var result = await runner.RunAsync();

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("input 'reason' is required for command 'brake-engage'", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Method != "GET");
        Assert.DoesNotContain("true", workspace.Read(WorkspacePaths.SafetyBrakePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_command_without_a_token_exits_2_before_changing_anything()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Control(workspace, "brake-engage");
        runner.Environment["INPUT_GITHUB-TOKEN"] = string.Empty;
        runner.Environment["GITHUB_TOKEN"] = null;

        var result = await runner.RunAsync();

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("command 'brake-engage' commits the state it changes and has no github-token input (and no GITHUB_TOKEN); nothing was changed", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("true", workspace.Read(WorkspacePaths.SafetyBrakePath), StringComparison.Ordinal);
        Assert.Empty(workspace.AuditLines());
    }

    [Fact]
    public async Task A_force_unlock_with_a_stale_lock_id_changes_and_commits_nothing()
    {
        await ArrangeAsync("trust-force-unlock");
        var before = GitHubDouble.BranchHead("main");

        var (result, _, _) = await RunControlAsync("trust-force-unlock", runner => runner.Input("lock-id", Guid.NewGuid().ToString("D")));

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("does not match the current lock", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, GitHubDouble.BranchHead("main"));
    }

    [Fact]
    public async Task A_response_action_that_rewrites_the_brake_does_not_get_it_committed()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        workspace.Write(".github/policy-response.yml", """
            version: 1
            levels:
              RED:
                - id: release_the_brake
                  run: ["/bin/sh", "-c", "echo '{\"is_engaged\": false, \"reason\": \"sneaky\"}' > forensics/safety_brake_state.json"]
            """);
        var brakeBefore = GitHubDouble.ReadFile("main", WorkspacePaths.SafetyBrakePath);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true").Input("policy", "RED");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(brakeBefore, GitHubDouble.ReadFile("main", WorkspacePaths.SafetyBrakePath));
        Assert.Contains("forensics/safety_brake_state.json was left out of the commit: only the control commands", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_decides_on_the_branch_tip_not_on_the_checkout_it_was_dispatched_with()
    {
        var now = DateTimeOffset.UtcNow;
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = Utf8($$"""{"is_engaged": true, "engaged_at": "{{Iso(now.AddHours(-2))}}", "engaged_by": "alice", "reason": "INC-41"}""") }, "brake engaged");
        using var stale = DoubleWorkspace.Checkout(GitHubDouble);
        // While the dispatched run waited (for a runner, an approval), bob released the brake on the branch.
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = Utf8($$"""{"is_engaged": false, "released_at": "{{Iso(now.AddHours(-1))}}", "released_by": "bob", "reason": "INC-41 closed"}""") }, "brake released");
        using var runner = Control(stale, "brake-engage");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var brake = BranchJson(WorkspacePaths.SafetyBrakePath);
        Assert.True(brake["is_engaged"]!.GetValue<bool>(), brake.ToJsonString());
        Assert.Equal("INC-42 paged at 3am", brake["reason"]!.GetValue<string>());
        Assert.Equal(GitHubDouble.BranchHead("main"), runner.Outputs()["commit-sha"]);
    }

    [Fact]
    public async Task A_state_another_run_commits_between_the_read_and_the_commit_is_never_overwritten_the_command_is_decided_again()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        // Carol's engage lands just as this run sends its commit: its fast-forward fails, and the brake it decided on is gone.
        GitHubDouble.BeforeNext("POST", "/git/commits$", () => GitHubDouble.CommitFiles(
            "main",
            new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = Utf8($$"""{"is_engaged": true, "engaged_at": "{{Iso(DateTimeOffset.UtcNow)}}", "engaged_by": "carol", "reason": "INC-99"}""") },
            "carol engaged the brake"));
        using var runner = Control(workspace, "brake-engage");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{WorkspacePaths.SafetyBrakePath} changed on main after this run read it (another run changed it meanwhile); nothing was committed: reading the branch again and deciding brake-engage on its state (round 2 of 3)", result.Stdout, StringComparison.Ordinal);
        var brake = BranchJson(WorkspacePaths.SafetyBrakePath);
        Assert.Equal(("carol", "INC-99"), (brake["engaged_by"]!.GetValue<string>(), brake["reason"]!.GetValue<string>()));
        Assert.Contains("Nothing to commit", runner.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerun_of_a_control_command_is_refused_and_changes_nothing()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Control(workspace, "brake-release");
        runner.Environment["GITHUB_RUN_ATTEMPT"] = "2";

        var result = await runner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("command 'brake-release' does not run in a re-run (attempt 2): a re-run acts in the name of whoever first dispatched the run; nothing was changed", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Method != "GET");
    }

    [Fact]
    public async Task Undo_from_the_workflow_refuses_when_the_branch_holds_what_the_response_left_and_records_nothing()
    {
        var responseId = await ApplyAsync();
        // Someone committed what the response's mirror action left: a restore in the job's checkout would be thrown away.
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { ["mirrors/anchor_chain.json"] = GitHubDouble.ReadFile("main", "anchors/anchor_chain.json")! }, "commit the regenerated mirror");
        var head = GitHubDouble.BranchHead("main");

        var (result, _, _) = await RunControlAsync("undo", runner => runner.Input("response-id", responseId));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"undo of response {responseId} refused here, nothing was restored: 1 path(s) on the branch do not hold their original:", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Contains("mirrors/anchor_chain.json: holds what the response left", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(head, GitHubDouble.BranchHead("main"));
        Assert.NotEqual("undone", BranchJson($"state/policy_response_undo_{responseId}.json")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Undo_from_the_workflow_records_a_response_whose_files_the_branch_never_carried_and_says_nothing_was_restored()
    {
        var responseId = await ApplyAsync();

        var (result, _, summary) = await RunControlAsync("undo", runner => runner.Input("response-id", responseId));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("undone", BranchJson($"state/policy_response_undo_{responseId}.json")["status"]!.GetValue<string>());
        Assert.Contains("restored 0 path(s); 1 already held the original, left alone", LastRecord(GitHubDouble.AuditLines("main"), "undo_applied")["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("**No file was restored:**", summary, StringComparison.Ordinal);
    }
}
