using System.Text;
using System.Text.Json.Nodes;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>
/// The orchestrator as workflows/policy_orchestration.yml runs it (command: evaluate) against the API double: it
/// reads a file signal and a GitHub signal, commits the level through the branch commit, the response runner plans
/// for that level, and the alert checker counts the flips the evaluations recorded.
/// </summary>
public sealed class OrchestratorAgainstGitHubTests : AgainstTheDouble
{
    private const string RunUrl = "https://github.com/octo-org/octo-repo/actions/runs/9001";
    private const string Metric = "metrics/error_budget.json";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The example workspace with signals, no level yet, and calm_for: 1 so a few runs can flap it.</summary>
    protected override Dictionary<string, byte[]> InitialFiles()
    {
        var files = DoubleWorkspace.ExampleFiles();
        files.Remove(WorkspacePaths.PolicyStatePath);
        var config = Encoding.UTF8.GetString(files[".github/policy-response.yml"]);
        files[".github/policy-response.yml"] = Utf8(config + """

            evaluation:
              calm_for: 1
            signals:
              - id: error_budget
                description: Error-budget burn rate, written by the team's SLO job
                file:
                  path: metrics/error_budget.json
                  pointer: /burn_rate
                yellow: "> 1"
                red: "> 2"
              - id: failed_ci
                github:
                  query: workflow_runs
                  workflow: ci.yml
                red: "> 3"
            """);
        files[Metric] = Utf8("""{"burn_rate": 0.4}""");
        return files;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // CI ran twice today and passed: the GitHub signal has a workflow to ask about, and nothing failed.
        GitHubDouble.AddWorkflowRun("ci.yml", DateTimeOffset.UtcNow.AddHours(-3));
        GitHubDouble.AddWorkflowRun("ci.yml", DateTimeOffset.UtcNow.AddHours(-1));
    }

    private void SetBurnRate(double rate) =>
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [Metric] = Utf8($$"""{"burn_rate": {{rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""") }, "SLO job: burn rate");

    private async Task<(CliResult Result, Dictionary<string, string> Outputs, string Summary)> EvaluateAsync(Action<RunnerSimulation>? arrange = null)
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace)
            .Event("schedule", """{"schedule": "45 4 * * *", "repository": {"default_branch": "main"}}""")
            .Input("command", "evaluate")
            .Input("commit-artifacts", "true");
        arrange?.Invoke(runner);
        var result = await runner.RunAsync();
        return (result, runner.Outputs(), runner.Summary());
    }

    /// <summary>Another evaluation commits the branch's level file, as <paramref name="edit"/> changes it, just as this run sends its commit.</summary>
    private void AnotherEvaluationLandsAtTheNextCommit(Action<JsonObject> edit)
    {
        var theirs = BranchJson(WorkspacePaths.PolicyStatePath);
        theirs["updated_at"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        edit(theirs);
        GitHubDouble.BeforeNext("POST", "/git/commits$", () => GitHubDouble.CommitFiles(
            "main",
            new Dictionary<string, byte[]> { [WorkspacePaths.PolicyStatePath] = Utf8(theirs.ToJsonString()) },
            "another evaluation"));
    }

    private JsonObject BranchJson(string path) => JsonNode.Parse(GitHubDouble.ReadFile("main", path)!)!.AsObject();

    private JsonObject[] Records(string eventName) =>
        GitHubDouble.AuditLines("main").Where(l => l.Contains($"\"event\":\"{eventName}\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();

    [Fact]
    public async Task Evaluate_commits_the_level_the_runner_plans_for_it_and_the_alert_checker_counts_its_flips()
    {
        var calm = await EvaluateAsync();
        Assert.True(calm.Result.ExitCode == 0, calm.Result.ToString());
        Assert.Equal(("GREEN", "true", string.Empty), (calm.Outputs["level"], calm.Outputs["level-changed"], calm.Outputs["signals-firing"]));

        SetBurnRate(3.5);
        var incident = await EvaluateAsync();
        Assert.True(incident.Result.ExitCode == 0, incident.Result.ToString());
        Assert.Equal(("RED", "true", "error_budget"), (incident.Outputs["level"], incident.Outputs["level-changed"], incident.Outputs["signals-firing"]));
        Assert.Equal(GitHubDouble.BranchHead("main"), incident.Outputs["commit-sha"]);
        Assert.Contains("Policy level: RED (was GREEN)", incident.Summary, StringComparison.Ordinal);
        Assert.Contains("| error_budget | 3.5 | &gt; 1 | &gt; 2 | RED |", incident.Summary, StringComparison.Ordinal);

        // The level file on the branch says what, why, who, and what the next evaluation needs.
        var state = BranchJson(WorkspacePaths.PolicyStatePath);
        Assert.Equal("RED", state["level"]!.GetValue<string>());
        Assert.Equal(RunUrl, state["evaluated_by"]!.GetValue<string>());
        var reason = state["reasons"]!.AsArray().Select(r => r!.AsObject()).Single(r => r["signal"]!.GetValue<string>() == "error_budget");
        Assert.Equal(("3.5", "RED", "red: > 2"), (reason["value"]!.GetValue<string>(), reason["state"]!.GetValue<string>(), reason["condition"]!.GetValue<string>()));
        Assert.Equal("0", state["reasons"]!.AsArray().Select(r => r!.AsObject()).Single(r => r["signal"]!.GetValue<string>() == "failed_ci")["value"]!.GetValue<string>());
        var commit = GitHubDouble.History("main")[0];
        Assert.StartsWith("policy-response: evaluate\n", commit.Message, StringComparison.Ordinal);
        Assert.Contains("Level: RED (was GREEN)", commit.Message, StringComparison.Ordinal);

        // The response runner, from a fresh checkout after the orchestration, plans for the level evaluate committed.
        using (var workspace = DoubleWorkspace.Checkout(GitHubDouble))
        using (var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun())
        {
            var response = await runner.RunAsync();
            Assert.True(response.ExitCode == 0, response.ToString());
            Assert.Equal(("dry-run", "3"), (runner.Outputs()["mode"], runner.Outputs()["actions-planned"]));
            Assert.StartsWith("## 🔍 Dry run: 3 actions would run at RED", runner.Summary(), StringComparison.Ordinal);
        }

        // Two more flips into RED (calm_for: 1 lets it fall at once), then the alert checker sees the flapping.
        foreach (var rate in new[] { 0.2, 3.0, 0.1, 2.5 })
        {
            SetBurnRate(rate);
            var again = await EvaluateAsync();
            Assert.True(again.Result.ExitCode == 0, again.Result.ToString());
        }

        var flips = Records(AuditEvents.LevelChanged).Where(r => r["policy"]!.GetValue<string>() == "RED").ToArray();
        Assert.Equal(3, flips.Length);
        Assert.All(flips, f => Assert.Equal("GREEN", f["previous_policy"]!.GetValue<string>()));
        Assert.Equal(6, Records(AuditEvents.LevelEvaluated).Length);
        Assert.True(GitHubDouble.VerifyAuditLog("main").Intact);

        using (var workspace = DoubleWorkspace.Checkout(GitHubDouble))
        using (var checker = DoubleWorkspace.Runner(GitHubDouble, workspace).Event("schedule", """{"schedule": "15 5 * * *", "repository": {"default_branch": "main"}}""").Input("command", "alerts"))
        {
            var alerts = await checker.RunAsync();
            Assert.Contains("red_flips", checker.Outputs()["alerts"], StringComparison.Ordinal);
            Assert.Contains("3 flip(s) into RED", alerts.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_with_policy_evaluate_computes_the_level_then_responds_to_it_in_one_workflow()
    {
        SetBurnRate(1.5);
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("policy", "evaluate");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var outputs = runner.Outputs();
        Assert.Equal(("YELLOW", "error_budget", "dry-run", "2"), (outputs["level"], outputs["signals-firing"], outputs["mode"], outputs["actions-planned"]));
        Assert.Contains("Policy level: YELLOW", runner.Summary(), StringComparison.Ordinal);
        // The outcome leads, above the evaluation that decided the level.
        Assert.StartsWith("## 🔍 Dry run: 2 actions would run at YELLOW", runner.Summary(), StringComparison.Ordinal);
        Assert.Equal("YELLOW", BranchJson(WorkspacePaths.PolicyStatePath)["level"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_without_the_permission_makes_the_signal_unknown_and_the_level_yellow_never_green()
    {
        GitHubDouble.WithholdPermission("actions");

        var (result, outputs, summary) = await EvaluateAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("YELLOW", "failed_ci"), (outputs["level"], outputs["signals-firing"]));
        Assert.Contains("::warning title=Policy level%3A signal unknown::signal failed_ci is unknown:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("actions: read", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("| failed_ci | unknown |", summary, StringComparison.Ordinal);
        Assert.Equal("YELLOW", BranchJson(WorkspacePaths.PolicyStatePath)["level"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_evaluation_committed_by_another_run_meanwhile_is_never_overwritten_the_level_is_evaluated_again_on_it()
    {
        SetBurnRate(3.5);
        await EvaluateAsync();
        SetBurnRate(0.2);

        // Another evaluation lands just as this run sends its commit: its level file (with a marker) must survive or be
        // built on, never overwritten by a decision made on the older memory.
        AnotherEvaluationLandsAtTheNextCommit(theirs => theirs["team_note"] = "written by the other run");

        var (result, outputs, _) = await EvaluateAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("evaluating on its state (round 2 of 3)", result.Stdout, StringComparison.Ordinal);
        var state = BranchJson(WorkspacePaths.PolicyStatePath);
        Assert.Equal("written by the other run", state["team_note"]!.GetValue<string>());
        Assert.Equal(outputs["level"], state["level"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_with_policy_evaluate_never_overwrites_a_level_another_evaluation_committed_meanwhile()
    {
        SetBurnRate(3.5);
        await EvaluateAsync();
        SetBurnRate(0.2);

        // As in the evaluate race above, but the evaluation is run's first stage (policy: evaluate): the level file
        // another evaluation committed meanwhile must not be overwritten by a decision made on the older memory.
        AnotherEvaluationLandsAtTheNextCommit(theirs => theirs["team_note"] = "written by the other run");

        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("policy", "evaluate");
        var result = await runner.RunAsync();

        var state = BranchJson(WorkspacePaths.PolicyStatePath);
        Assert.True(state["team_note"] is not null, $"the other run's level file was overwritten (exit {result.ExitCode}):\n{result}");

        // The response's own artifacts still reach the branch, and the lost level is said, not hidden.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("changed on the branch after this run evaluated", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(GitHubDouble.BranchHead("main"), runner.Outputs()["commit-sha"]);
        Assert.Equal(2, Records(AuditEvents.LevelEvaluated).Length);
    }

    [Fact]
    public async Task An_evaluation_made_again_after_a_race_announces_only_the_change_it_committed()
    {
        SetBurnRate(3.5);
        await EvaluateAsync();
        SetBurnRate(0.2);

        // Another evaluation lands GREEN just as this run commits: round 1 decided RED → GREEN on the older file, round 2
        // decides GREEN unchanged on theirs. The run page must not keep round 1's "level changed" annotation.
        AnotherEvaluationLandsAtTheNextCommit(theirs =>
        {
            theirs["level"] = "GREEN";
            theirs.Remove("evaluation");
        });

        var (result, outputs, _) = await EvaluateAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("round 2 of 3", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(("GREEN", "false"), (outputs["level"], outputs["level-changed"]));
        Assert.DoesNotContain("title=Policy level changed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_without_signals_fails_naming_the_file_and_records_nothing()
    {
        var config = DoubleWorkspace.ExampleFiles()[".github/policy-response.yml"];
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [".github/policy-response.yml"] = config }, "no signals");
        var head = GitHubDouble.BranchHead("main");

        var (result, _, _) = await EvaluateAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("has no 'signals:'", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(head, GitHubDouble.BranchHead("main"));
    }
}
