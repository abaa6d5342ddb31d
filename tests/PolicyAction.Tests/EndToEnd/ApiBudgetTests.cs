using System.Text;
using PolicyAction.GitHubEmulator;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>How many requests a run sends, counted from the emulator's log, so that a regression fails.</summary>
public sealed class ApiBudgetTests : AgainstTheDouble
{

    private async Task<(int Reads, int Writes)> Run(Action<RunnerSimulation> setup)
    {
        var before = GitHubDouble.Exchanges.Count;
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace);
        setup(runner);
        var result = await runner.RunAsync();
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        var exchanges = GitHubDouble.Exchanges.Skip(before).ToArray();
        return (exchanges.Count(e => e.Method == "GET"), exchanges.Count(e => e.Method != "GET"));
    }

    [Fact]
    public async Task A_quiet_run_writes_nothing_and_reads_little()
    {
        await Run(r => r.WorkflowRun());

        var quiet = await Run(r => r.WorkflowRun());

        Assert.Equal(0, quiet.Writes);
        Assert.True(quiet.Reads <= 1, $"{quiet.Reads} reads");
    }

    [Fact]
    public async Task A_quiet_run_on_a_state_branch_reads_the_branch_and_its_folders_once_and_writes_nothing()
    {
        GitHubDouble.CreateBranch("policy-response-state", "main");
        await Run(r => r.WorkflowRun().Input("commit-branch", "policy-response-state"));

        var quiet = await Run(r => r.WorkflowRun().Input("commit-branch", "policy-response-state"));

        // The branch (1); its root and the folders that hold state files (state, forensics, logs: 3 more, one
        // each); the blobs the first run left different from the checkout of main (3: the checkout never has the
        // state branch's newest state); and the alert stage's one read (fix branches). 9 in all.
        Assert.Equal(0, quiet.Writes);
        Assert.True(quiet.Reads <= 9, $"{quiet.Reads} reads: " + string.Join(", ", GitHubDouble.Exchanges.TakeLast(quiet.Reads).Select(e => e.Path)));
    }

    [Fact]
    public async Task An_applied_and_committed_response_stays_within_its_budget()
    {
        var apply = await Run(r => r.WorkflowRun().Input("auto-apply", "true"));

        // Reserve: read the safety brake and the trust lock at the branch's tip (2: a brake engaged on the branch
        // after the checkout stops the apply), then write the log back as the checkout had it plus the new record,
        // only if the branch still has that blob (Contents API), no read of the log. Commit the artifacts from the
        // reservation's tip without reading: tree, commit, ref update. The alert stage: one read. 7 in all; the
        // issue's target is 6 (docs/performance.md says what stands in the way).
        Assert.True(apply.Reads + apply.Writes <= 7, $"{apply.Reads} reads + {apply.Writes} writes");
        Assert.True(apply.Reads <= 3, $"{apply.Reads} reads");
        Assert.True(apply.Writes <= 4, $"{apply.Writes} writes");
    }

    [Fact]
    public async Task A_reservation_whose_answer_was_lost_costs_two_reads_more()
    {
        GitHubDouble.AddFault(new Fault("applied-502", Count: 1, Method: "PUT"));

        var recovered = await Run(r => r.WorkflowRun().Input("auto-apply", "true"));

        // As an apply, plus reading the log on the branch (it holds this run's bytes: landed) and the branch's tip.
        Assert.Equal((5, 4), recovered);
    }

    [Fact]
    public async Task A_brake_engaged_on_the_branch_after_the_checkout_is_found_with_two_reads_per_attempt()
    {
        var before = GitHubDouble.Exchanges.Count;
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            ["forensics/safety_brake_state.json"] = Encoding.UTF8.GetBytes($"{{\"is_engaged\": true, \"engaged_at\": \"{DateTimeOffset.UtcNow.AddMinutes(-5):O}\"}}"),
        }, "brake");
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0 && runner.Outputs()["blocked-by"] == "safety_brake", result.ToString());
        var exchanges = GitHubDouble.Exchanges.Skip(before).ToArray();
        // The brake and lock at the tip (2), refused on them alone: the log is not read again and no reservation is
        // written. Then the alert stage's read and the block's artifacts committed (the branch, its log at that
        // commit to merge, tree, commit, ref): 8 in all.
        Assert.DoesNotContain(exchanges, e => e.Method == "PUT");
        Assert.Equal(2, exchanges.Count(e => e.Method == "GET" && (e.Path.Contains("safety_brake_state", StringComparison.Ordinal) || e.Path.Contains("trust_lock_state", StringComparison.Ordinal))));
        Assert.True(exchanges.Length <= 8, $"{exchanges.Length} requests: " + string.Join(", ", exchanges.Select(e => $"{e.Method} {e.Path}")));
    }

    [Fact]
    public async Task A_protected_branch_is_refused_after_one_write_and_one_read_naming_the_rule()
    {
        GitHubDouble.ProtectBranch("main", BranchRule.Ruleset);

        var refused = await Run(r => r.WorkflowRun().Input("auto-apply", "true"));

        // The brake and trust lock at the tip (2), the reservation's PUT, refused; the ruleset read to name the rule;
        // nothing else is sent.
        Assert.Equal((3, 1), refused);
    }

    [Fact]
    public async Task Filing_an_alert_issue_adds_a_handful()
    {
        var quiet = await Run(r => r.Event("schedule", "{}").Input("command", "alerts"));
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            ["forensics/safety_brake_state.json"] = Encoding.UTF8.GetBytes($"{{\"is_engaged\": true, \"engaged_at\": \"{DateTimeOffset.UtcNow.AddHours(-5):O}\"}}"),
        }, "brake");

        var firing = await Run(r => r.Event("schedule", "{}").Input("command", "alerts"));

        // Without an alert: the repository (a scheduled event names no default branch) and fix branches; no writes.
        // Filing adds: the issues (to find the alert's own), the claim (the alert history as checked out plus the
        // claim, written only if the branch still has that blob), the issue, and the artifacts from the claim's tip
        // (tree, commit, ref): 6. The issue's target is 4 more; docs/performance.md says what stands in the way.
        Assert.Equal(0, quiet.Writes);
        Assert.True(quiet.Reads <= 2, $"{quiet.Reads} reads without an alert");
        Assert.True(firing.Writes <= 5, $"{firing.Writes} writes");
        Assert.True(firing.Reads - quiet.Reads <= 1, $"{firing.Reads} reads filing, {quiet.Reads} without");
    }
}
