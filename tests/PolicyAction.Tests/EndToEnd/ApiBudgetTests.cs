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
    public async Task An_applied_and_committed_response_stays_within_its_budget()
    {
        var apply = await Run(r => r.WorkflowRun().Input("auto-apply", "true"));

        // Reserve: branch, log, tree (files inline), commit, ref update. Commit the artifacts from the reservation's
        // tip without reading: tree, commit, ref update. The alert stage: one read.
        Assert.True(apply.Reads <= 3, $"{apply.Reads} reads");
        Assert.True(apply.Writes <= 6, $"{apply.Writes} writes");
    }

    [Fact]
    public async Task Filing_an_alert_issue_adds_a_handful()
    {
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            ["forensics/safety_brake_state.json"] = Encoding.UTF8.GetBytes($"{{\"is_engaged\": true, \"engaged_at\": \"{DateTimeOffset.UtcNow.AddHours(-5):O}\"}}"),
        }, "brake");

        var firing = await Run(r => r.Event("schedule", "{}").Input("command", "alerts"));

        // Reads: the repository (a scheduled event's payload here names no default branch), fix branches, issues, and
        // the claim's branch and history. Writes: the claim (tree, commit, ref), the issue, and the artifacts from the
        // claim's tip (tree, commit, ref).
        Assert.True(firing.Writes <= 7, $"{firing.Writes} writes");
        Assert.True(firing.Reads <= 5, $"{firing.Reads} reads");
    }
}
