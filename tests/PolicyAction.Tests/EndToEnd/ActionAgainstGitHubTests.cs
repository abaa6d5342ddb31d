using System.Text;
using PolicyAction.GitHubEmulator;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>The action as the runner runs it, talking to the API double over real HTTP; every exchange contract-checked.</summary>
public sealed class ActionAgainstGitHubTests : AgainstTheDouble
{

    private string[] BranchLog(string path = "state/policy_response_log.jsonl") =>
        Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", path) ?? []).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private int Writes(int from = 0) => GitHubDouble.Exchanges.Skip(from).Count(e => e.Method != "GET");

    [Fact]
    public async Task An_applied_response_is_reserved_then_committed_with_its_undo_record()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var outputs = runner.Outputs();
        Assert.Equal("apply", outputs["mode"]);
        Assert.Equal(GitHubDouble.BranchHead("main"), outputs["commit-sha"]);
        var log = BranchLog();
        Assert.Single(log, l => l.Contains("\"event\":\"response_started\"", StringComparison.Ordinal));
        Assert.Single(log, l => l.Contains("\"event\":\"response_finished\"", StringComparison.Ordinal));
        Assert.NotNull(GitHubDouble.ReadFile("main", $"state/policy_response_undo_{outputs["response-id"]}.json"));
        var history = GitHubDouble.History("main");
        Assert.StartsWith($"policy-response: RED apply {outputs["response-id"]}", history[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("policy-response: reserve RED response", history[1].Message, StringComparison.Ordinal);
        Assert.Contains("Run: https://github.com/octo-org/octo-repo/actions/runs/9001", history[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undo_records_an_action_leaves_are_never_committed_only_the_runs_own()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        const string Dropped = "state/policy_response_undo_11111111-1111-4111-8111-111111111111.json";
        const string Linked = "state/policy_response_undo_22222222-2222-4222-8222-222222222222.json";
        workspace.Write(".github/policy-response.yml", $$"""
            version: 1
            levels:
              RED:
                - id: drop_files
                  run: ["/bin/sh", "-c", "echo '{\"response_id\":\"11111111-1111-4111-8111-111111111111\",\"entries\":[]}' > {{Dropped}}; ln -s /proc/self/environ {{Linked}}"]
                - id: mirror
                  run: ["/bin/cp", "anchors/anchor_chain.json", "mirrors/anchor_chain.json"]
                  reversible:
                    paths: ["mirrors/anchor_chain.json"]
            """);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true").Input("policy", "RED");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var responseId = runner.Outputs()["response-id"];
        Assert.NotNull(GitHubDouble.ReadFile("main", $"state/policy_response_undo_{responseId}.json"));
        Assert.Null(GitHubDouble.ReadFile("main", Dropped));
        Assert.Null(GitHubDouble.ReadFile("main", Linked));
        Assert.Contains($"{Dropped} was left out of the commit", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.RequestBody is { } body && body.Contains(RunnerSimulationToken, StringComparison.Ordinal));
    }

    private static string RunnerSimulationToken => RunnerSimulation.Token;

    [Fact]
    public async Task A_quiet_dry_run_writes_nothing_to_github()
    {
        using (var checkout = DoubleWorkspace.Checkout(GitHubDouble))
        using (var runner = DoubleWorkspace.Runner(GitHubDouble, checkout).WorkflowRun())
        {
            var first = await runner.RunAsync();
            Assert.True(first.ExitCode == 0, first.ToString());
        }

        var before = GitHubDouble.Exchanges.Count;
        using var second = DoubleWorkspace.Checkout(GitHubDouble);
        using var quiet = DoubleWorkspace.Runner(GitHubDouble, second).WorkflowRun();

        var result = await quiet.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("dry-run", quiet.Outputs()["mode"]);
        Assert.Equal(string.Empty, quiet.Outputs()["commit-sha"]);
        Assert.Equal(0, Writes(before));
    }

    [Fact]
    public async Task Concurrent_runs_lose_no_record_and_never_exceed_the_rate_limit()
    {
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [".github/policy-response.yml"] = Encoding.UTF8.GetBytes("version: 1\ngates:\n  max_responses_per_24h: 3\nlevels:\n  RED:\n    - id: note\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"mirrors/anchor_chain.json\"]\n"),
        }, "limit 3");
        var workspaces = Enumerable.Range(0, 8).Select(_ => DoubleWorkspace.Checkout(GitHubDouble)).ToArray();
        var runners = workspaces.Select((w, i) =>
        {
            var runner = DoubleWorkspace.Runner(GitHubDouble, w).WorkflowRun(runId: 5000 + i).Input("auto-apply", "true");
            runner.Environment["GITHUB_RUN_ID"] = (7000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return runner;
        }).ToArray();

        var results = await Task.WhenAll(runners.Select(r => r.RunAsync()));

        var log = BranchLog();
        Assert.Equal(3, log.Count(l => l.Contains("\"event\":\"response_started\"", StringComparison.Ordinal)));
        Assert.Equal(3, log.Count(l => l.Contains("\"event\":\"response_finished\"", StringComparison.Ordinal)));
        Assert.Equal(3, runners.Count(r => r.Outputs()["mode"] == "apply" && r.Outputs()["blocked"] == "false"));
        Assert.Equal(5, runners.Count(r => r.Outputs()["blocked"] == "true"));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var onBranch = log.Select(AuditChain.Identity).ToHashSet();
        var branchLog = GitHubDouble.ReadFile("main", "state/policy_response_log.jsonl")!;
        var verification = AuditLogVerifier.Verify(new MemoryStream(branchLog), "branch log");
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(log.Length, verification.Records);
        Assert.Contains($"Audit log checkpoint: {verification.Head}", GitHubDouble.History("main")[0].Message, StringComparison.Ordinal);
        foreach (var runner in runners.Where(r => r.Outputs()["mode"] == "apply" && r.Outputs()["blocked"] == "false"))
        {
            var id = runner.Outputs()["response-id"];
            Assert.NotNull(GitHubDouble.ReadFile("main", $"state/policy_response_undo_{id}.json"));
        }

        foreach (var workspace in workspaces)
        {
            // Everything each run logged locally is on the branch (relinked into one chain): nothing was lost in the races,
            // and each run's undo record is there byte for byte, none overwritten by another's.
            Assert.All(workspace.AuditLines(), line => Assert.Contains(AuditChain.Identity(line), onBranch));
            foreach (var undo in Directory.EnumerateFiles(workspace.PathOf("state"), "policy_response_undo_*.json"))
            {
                Assert.Equal(File.ReadAllBytes(undo), GitHubDouble.ReadFile("main", $"state/{Path.GetFileName(undo)}"));
            }

            workspace.Dispose();
        }

        foreach (var runner in runners)
        {
            runner.Dispose();
        }
    }

    [Fact]
    public async Task A_checkout_older_than_the_branch_still_counts_the_branchs_responses()
    {
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [".github/policy-response.yml"] = Encoding.UTF8.GetBytes("version: 1\ngates:\n  max_responses_per_24h: 1\nlevels:\n  RED:\n    - id: note\n      run: [\"/bin/true\"]\n"),
        }, "limit 1");
        using var late = DoubleWorkspace.Checkout(GitHubDouble);
        using (var first = DoubleWorkspace.Checkout(GitHubDouble))
        using (var runner = DoubleWorkspace.Runner(GitHubDouble, first).WorkflowRun(runId: 6001).Input("auto-apply", "true"))
        {
            var applied = await runner.RunAsync();
            Assert.True(applied.ExitCode == 0 && runner.Outputs()["blocked"] == "false", applied.ToString());
        }

        // This checkout predates that response: its log shows a free slot, the branch's does not.
        using var stale = DoubleWorkspace.Runner(GitHubDouble, late).WorkflowRun(runId: 6002).Input("auto-apply", "true");
        var before = GitHubDouble.Exchanges.Count;
        var result = await stale.RunAsync();

        // The write from the checkout's view (no log yet) was tried and refused by GitHub (422), then the branch was read.
        Assert.Contains(GitHubDouble.Exchanges.Skip(before), e => e.Method == "PUT" && e.Status is 409 or 422);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("true", stale.Outputs()["blocked"]);
        Assert.Contains("rate_limit", stale.Outputs()["blocked-by"], StringComparison.Ordinal);
        Assert.Single(BranchLog(), l => l.Contains("\"event\":\"response_started\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_for_another_ref_reads_the_branch_before_writing()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");
        runner.Environment["GITHUB_REF"] = "refs/heads/feature";
        var before = GitHubDouble.Exchanges.Count;

        var result = await runner.RunAsync();

        // The workspace holds another ref: no write is tried on the guess that it is the branch's. The log is read,
        // then the brake and the trust lock at the tip, then the reservation is written.
        Assert.True(result.ExitCode == 0, result.ToString());
        var exchanges = GitHubDouble.Exchanges.Skip(before).ToArray();
        Assert.Equal(("GET", "GET", "GET", "PUT"), (exchanges[0].Method, exchanges[1].Method, exchanges[2].Method, exchanges[3].Method));
        Assert.Contains("/contents/state/policy_response_log.jsonl", exchanges[0].Path, StringComparison.Ordinal);
        Assert.Contains($"/contents/{WorkspacePaths.SafetyBrakePath}", exchanges[1].Path, StringComparison.Ordinal);
        Assert.Contains($"/contents/{WorkspacePaths.TrustLockPath}", exchanges[2].Path, StringComparison.Ordinal);
        Assert.DoesNotContain(exchanges, e => e.Status is 409 or 422);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_audit_log_over_1_mib_is_read_and_the_response_reserved_and_committed(bool enterpriseServer)
    {
        // A year of blocked runs: well over the 1 MB above which GitHub leaves the content out (or, on Enterprise
        // Server, refuses the default media type).
        var log = GitHubDouble.ReadFile("main", "state/policy_response_log.jsonl") ?? [];
        var lines = new List<byte>(log);
        var from = DateTimeOffset.UtcNow.AddDays(-400);
        while (lines.Count <= PolicyAction.GitHubEmulator.GitHubEmulator.LargeFileBytes + 100_000)
        {
            var record = new AuditRecord { Timestamp = from = from.AddMinutes(20), Event = "response_blocked", Actor = "github-actions[bot]", Policy = "RED", Mode = "apply", BlockedBy = ["safety_brake"] };
            lines.AddRange(AuditChain.LineAfter(lines.ToArray(), record, "generated"));
        }

        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { ["state/policy_response_log.jsonl"] = [.. lines] }, "a year of history");
        GitHubDouble.AnswersLikeEnterpriseServer = enterpriseServer;
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");

        // Run for another ref, so the reservation reads the log on the branch instead of trusting the checkout.
        runner.Environment["GITHUB_REF"] = "refs/heads/feature";

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("apply", "false"), (runner.Outputs()["mode"], runner.Outputs()["blocked"]));
        Assert.Equal(GitHubDouble.BranchHead("main"), runner.Outputs()["commit-sha"]);
        Assert.Contains(GitHubDouble.Exchanges, e => e.Method == "GET" && e.Path.Contains("/git/blobs/", StringComparison.Ordinal));

        // The year of history is the first, sealed segment, untouched; the run's records start the second.
        Assert.Equal([.. lines], GitHubDouble.ReadFile("main", "state/policy_response_log.jsonl")!);
        var verification = GitHubDouble.VerifyAuditLog("main");
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(2, verification.Segments);
        Assert.Single(BranchLog("state/policy_response_log/000/000002.jsonl"), l => l.Contains("\"event\":\"response_finished\"", StringComparison.Ordinal));
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Method != "GET" && e.RequestBody is { } body && body.Length > 100_000);
    }

    [Theory]
    [InlineData(BranchRule.Classic)]
    [InlineData(BranchRule.Ruleset)]
    public async Task A_protected_branch_refuses_the_reservation_at_once_and_nothing_runs_until_the_state_has_a_branch_of_its_own(BranchRule rule)
    {
        GitHubDouble.ProtectBranch("main", rule);
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");
        var before = GitHubDouble.Exchanges.Count;

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("branch main is protected", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("commit-branch", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("nothing was executed", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("contents: write", result.Stdout, StringComparison.Ordinal);
        var exchanges = GitHubDouble.Exchanges.Skip(before).ToArray();
        Assert.Single(exchanges, e => e.Method == "PUT");
        Assert.DoesNotContain(exchanges, e => e.Method is "POST" or "PATCH");
        Assert.DoesNotContain(workspace.AuditLines(), l => l.Contains("\"event\":\"action_finished\"", StringComparison.Ordinal));

        // The way out: a branch of its own for the state. The next run applies there.
        GitHubDouble.CreateBranch("policy-response-state", "main");
        using var again = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun(runId: 9002).Input("auto-apply", "true").Input("commit-branch", "policy-response-state");
        var second = await again.RunAsync();
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("false", again.Outputs()["blocked"]);
        Assert.Equal(GitHubDouble.BranchHead("policy-response-state"), again.Outputs()["commit-sha"]);
    }

    [Fact]
    public async Task Server_errors_and_rate_limits_are_retried_and_the_commit_lands()
    {
        GitHubDouble.AddFault(new Fault("502", Count: 2, Method: "POST"));
        GitHubDouble.AddFault(new Fault("secondary-rate-limit", Count: 1, Method: "PATCH", Seconds: 1));
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(GitHubDouble.BranchHead("main"), runner.Outputs()["commit-sha"]);
        Assert.Equal(3, GitHubDouble.Exchanges.Count(e => e.Faulted));
        Assert.Contains("before try 2", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("applied-502")]
    [InlineData("applied-drop")]
    public async Task A_reservation_that_landed_behind_a_lost_answer_is_known_and_the_response_runs(string fault)
    {
        GitHubDouble.AddFault(new Fault(fault, Count: 1, Method: "PUT", PathPattern: "/contents/state/policy_response_log.jsonl$"));
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("apply", runner.Outputs()["mode"]);
        Assert.Equal("false", runner.Outputs()["blocked"]);
        Assert.Single(GitHubDouble.Exchanges, e => e.Method == "PUT");
        Assert.Single(BranchLog(), l => l.Contains("\"event\":\"response_started\"", StringComparison.Ordinal));
        Assert.Single(BranchLog(), l => l.Contains("\"event\":\"response_finished\"", StringComparison.Ordinal));

        // Nothing is left half-done: the next trigger applies without an acknowledge.
        using var next = DoubleWorkspace.Checkout(GitHubDouble);
        using var again = DoubleWorkspace.Runner(GitHubDouble, next).WorkflowRun(runId: 289782452).Input("auto-apply", "true");
        var second = await again.RunAsync();
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("false", again.Outputs()["blocked"]);
    }

    [Fact]
    public async Task A_bare_secondary_rate_limit_past_the_wait_budget_says_so_instead_of_asking_for_permissions()
    {
        GitHubDouble.AddFault(new Fault("secondary-rate-limit-bare", Count: 10, Method: "PUT"));
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true").Input("github-wait-budget", "10s");

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("secondary rate limit", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("github-wait-budget", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("contents: write", result.Stdout, StringComparison.Ordinal);
        Assert.True(result.Stdout.Contains("nothing was executed", StringComparison.OrdinalIgnoreCase), result.ToString());
    }

    [Fact]
    public async Task Content_creating_requests_are_a_second_apart_by_default()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");
        runner.Environment.Remove(PolicyAction.ActionHost.ActionSettings.WriteIntervalVariable);

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var writes = GitHubDouble.Exchanges.Where(e => e.Method != "GET").Select(e => e.At).ToArray();
        Assert.True(writes.Length >= 3, $"{writes.Length} writes");
        Assert.All(writes.Zip(writes.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(0.99), $"{(pair.Second - pair.First).TotalMilliseconds:0} ms apart"));
    }

    [Fact]
    public async Task A_missing_permission_fails_the_step_with_what_to_fix_and_keeps_the_local_log()
    {
        GitHubDouble.AddFault(new Fault("403", Count: 100, Method: "POST"));
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun();
        runner.Input("commit-artifacts", "true");

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("contents: write", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(workspace.AuditLines(), l => l.Contains("level_changed", StringComparison.Ordinal));
        Assert.DoesNotContain(RunnerSimulation.Token, result.Stdout.Split('\n').Skip(1).Aggregate(string.Empty, (a, b) => a + b), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_response_run_is_the_same_pipeline_from_a_shell()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");
        runner.Environment["INPUT_COMMAND"] = "gates";

        var result = await runner.RunAsync("run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("apply", runner.Outputs()["mode"]);
        Assert.Contains("::group::Alerts", result.Stdout, StringComparison.Ordinal);
    }
}
