using System.Text;
using PolicyAction.GitHubEmulator;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>
/// A state branch (commit-branch: policy-response-state) beside a protected default branch: the action, run as the
/// runner runs it on a checkout of main, creates the branch when it is missing and reads every piece of state from
/// it, not from the checkout.
/// </summary>
public sealed class StateBranchAgainstGitHubTests : AgainstTheDouble
{
    private const string StateBranch = "policy-response-state";

    private RunnerSimulation Runner(TempWorkspace workspace, long runId = 9001) =>
        DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun(runId: runId).Input("auto-apply", "true").Input("commit-branch", StateBranch);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData(BranchRule.Classic)]
    [InlineData(BranchRule.Ruleset)]
    public async Task A_missing_state_branch_is_created_from_the_default_branch_and_the_apply_lands_there_while_main_stays_protected(BranchRule rule)
    {
        GitHubDouble.ProtectBranch("main", rule);
        var main = GitHubDouble.BranchHead("main");
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace);

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"created the state branch {StateBranch} from main", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("apply", runner.Outputs()["mode"]);
        Assert.Equal(GitHubDouble.BranchHead(StateBranch), runner.Outputs()["commit-sha"]);
        Assert.Equal(main, GitHubDouble.BranchHead("main"));
        Assert.Single(GitHubDouble.AuditLines(StateBranch), l => l.Contains("\"event\":\"response_finished\"", StringComparison.Ordinal));
        Assert.True(GitHubDouble.VerifyAuditLog(StateBranch).Intact);
    }

    [Fact]
    public async Task The_gates_and_the_alerts_read_the_brake_on_the_state_branch_not_the_one_in_the_checkout()
    {
        GitHubDouble.CreateBranch(StateBranch, "main");
        var engagedAt = DateTimeOffset.UtcNow.AddHours(-5).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        GitHubDouble.CommitFiles(StateBranch, new Dictionary<string, byte[]>
        {
            ["forensics/safety_brake_state.json"] = Utf8($$"""{"is_engaged": true, "engaged_at": "{{engagedAt}}", "engaged_by": "octocat", "reason": "INC-42"}"""),
        }, "brake engaged by the operator");

        // The checkout is main, whose brake is off.
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        Assert.Contains("false", File.ReadAllText(workspace.PathOf("forensics/safety_brake_state.json")), StringComparison.Ordinal);
        using var runner = Runner(workspace);

        var result = await runner.RunAsync();

        var outputs = runner.Outputs();
        Assert.Equal("true", outputs["blocked"]);
        Assert.Contains("safety_brake", outputs["blocked-by"], StringComparison.Ordinal);
        Assert.DoesNotContain(workspace.AuditLines(), l => l.Contains("\"event\":\"action_finished\"", StringComparison.Ordinal));
        Assert.Contains(GitHubDouble.Issues(), i => i.Open && i.Body is { } body && body.Contains("brake_engaged", StringComparison.Ordinal));
        Assert.Contains("forensics/safety_brake_state.json", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerun_on_a_fresh_checkout_of_main_sees_the_apply_recorded_on_the_state_branch_and_fetches_only_what_changed()
    {
        using (var first = DoubleWorkspace.Checkout(GitHubDouble))
        using (var runner = Runner(first))
        {
            var applied = await runner.RunAsync();
            Assert.True(applied.ExitCode == 0, applied.ToString());
            Assert.Equal("apply", runner.Outputs()["mode"]);
        }

        // Main never saw that apply; the state branch did. The same workflow run, re-run on a new checkout of main.
        Assert.DoesNotContain("response_finished", Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "state/policy_response_log.jsonl") ?? []), StringComparison.Ordinal);
        using var second = DoubleWorkspace.Checkout(GitHubDouble);
        using var rerun = Runner(second);
        var before = GitHubDouble.Exchanges.Count;
        var actionsBefore = GitHubDouble.AuditLines(StateBranch).Count(l => l.Contains("\"event\":\"action_finished\"", StringComparison.Ordinal));

        var result = await rerun.RunAsync();

        // The trigger check saw the apply on the branch: the re-run is a dry run.
        Assert.True(rerun.Outputs()["mode"] == "dry-run", result.ToString());
        Assert.Contains("workflow_run:9001:1 has already applied a response", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(actionsBefore, second.AuditLines().Count(l => l.Contains("\"event\":\"action_finished\"", StringComparison.Ordinal)));

        // Read: the branch, the folders on the way, and the blobs that differ from the checkout (the log and the
        // alert report the first run wrote); nothing else.
        var reads = GitHubDouble.Exchanges.Skip(before).TakeWhile(e => e.Method == "GET").ToArray();
        Assert.Single(reads, e => e.Path.Contains("/branches/", StringComparison.Ordinal));
        Assert.InRange(reads.Count(e => e.Path.Contains("/git/blobs/", StringComparison.Ordinal)), 1, 3);
        Assert.Contains("state read from policy-response-state", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_where_a_state_file_belongs_on_the_branch_fails_closed_and_the_workspace_keeps_its_file()
    {
        GitHubDouble.CreateBranch(StateBranch, "main");
        GitHubDouble.CommitFiles(StateBranch, new Dictionary<string, byte[]> { ["forensics/safety_brake_state.json"] = Utf8("/proc/self/environ") }, "a link", mode: "120000");
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace);

        var result = await runner.RunAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("forensics/safety_brake_state.json on policy-response-state is not a regular file (a blob, mode 120000)", result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(workspace.PathOf("forensics/safety_brake_state.json")));
        Assert.DoesNotContain(workspace.AuditLines(), l => l.Contains("\"event\":\"action_finished\"", StringComparison.Ordinal));
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Method == "PUT");
    }

    [Fact]
    public async Task A_segment_missing_on_the_branch_within_the_readers_reach_fails_closed_naming_it()
    {
        GitHubDouble.CreateBranch(StateBranch, "main");
        var recent = DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        GitHubDouble.CommitFiles(StateBranch, new Dictionary<string, byte[]>
        {
            ["state/policy_response_log/000/000003.jsonl"] = Utf8($$"""{"timestamp":"{{recent}}","event":"brake_released","actor":"octocat","seq":9,"prev":null}""" + "\n"),
        }, "segment 3 without segment 2");
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace);

        var result = await runner.RunAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the audit log on policy-response-state lacks segment 2 (state/policy_response_log/000/000002.jsonl)", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Method == "PUT");
    }

    [Fact]
    public async Task Segments_the_checkout_has_beyond_the_branchs_are_removed_so_the_gates_read_the_branchs_records()
    {
        GitHubDouble.CreateBranch(StateBranch, "main");
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        var recent = DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        // A newer segment in the checkout only (main's log went on after the state branch was made): it engages
        // nothing on the branch, so it must not be read as the branch's newest records.
        workspace.WriteBytes("state/policy_response_log/000/000002.jsonl", Utf8($$"""{"timestamp":"{{recent}}","event":"response_started","actor":"octocat","response_id":"0b6c1c55-35b4-4d1a-9d7e-7d6a0c0e1a11","policy":"RED","mode":"apply","seq":99,"prev":null}""" + "\n"));
        using var runner = Runner(workspace);

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("removed, as the branch has none (state/policy_response_log/000/000002.jsonl", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("apply", runner.Outputs()["mode"]);
    }

    [Fact]
    public async Task A_checkout_of_the_state_branch_itself_reads_nothing_more()
    {
        GitHubDouble.CreateBranch(StateBranch, "main");
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble, StateBranch);
        using var runner = Runner(workspace);
        runner.Environment["GITHUB_REF"] = $"refs/heads/{StateBranch}";

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("state read from", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Path.Contains("/git/trees/", StringComparison.Ordinal) && e.Method == "GET");
    }
}
