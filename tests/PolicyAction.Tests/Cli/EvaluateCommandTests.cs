using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Cli;

/// <summary><c>policy-response evaluate</c>: a preview by default, <c>--record</c> to write, <c>--explain</c> to tune, <c>--json</c> for scripts.</summary>
public class EvaluateCommandTests
{
    private const string Config = """
        version: 1
        levels: {}
        signals:
          - id: queue_depth
            file: { path: metrics/queue.json, pointer: /depth }
            yellow: "> 100"
            red: "> 1000"
          - id: manifest
            command:
              run: ["/usr/bin/test", "-s", "manifest.sha256"]
            red: "!= 0"
          - id: new_threshold
            file: { path: metrics/queue.json, pointer: /depth }
            red: "> 50"
            dry_run: true
        """;

    private static TempWorkspace Workspace(int depth) =>
        new TempWorkspace().WithConfig(Config).Write("manifest.sha256", "abc  file\n").Write("metrics/queue.json", $$"""{"depth": {{depth}}}""");

    [Fact]
    public async Task Without_record_it_shows_the_level_and_why_and_writes_nothing()
    {
        using var workspace = Workspace(250);

        var result = await CliHarness.RunAsync(workspace, "evaluate");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Policy level: YELLOW (first evaluation)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("why: YELLOW: queue_depth = 250 (yellow: > 100)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("new_threshold (dry run)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("not counted (dry run)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("preview: nothing recorded", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(workspace.PathOf(WorkspacePaths.PolicyStatePath)));
        Assert.False(File.Exists(workspace.PathOf(WorkspacePaths.AuditLogPath)));
    }

    [Fact]
    public async Task Record_writes_the_level_file_and_the_history_and_explain_reads_the_history_back()
    {
        using var workspace = Workspace(250);
        var clock = new FakeTimeProvider(CliHarness.Now);
        foreach (var depth in new[] { 250, 2000, 40 })
        {
            workspace.Write("metrics/queue.json", $$"""{"depth": {{depth}}}""");
            var run = await CliHarness.RunAsync(workspace, null, clock, null, "evaluate", "--record");
            Assert.True(run.ExitCode == 0, run.ToString());
            clock.Advance(TimeSpan.FromDays(1));
        }

        var state = JsonNode.Parse(workspace.Read(WorkspacePaths.PolicyStatePath))!.AsObject();
        Assert.Equal("RED", state["level"]!.GetValue<string>());
        Assert.Equal($"{OperatingSystemUser.Name} (outside a runner)", state["evaluated_by"]!.GetValue<string>());
        Assert.Equal(1, state["evaluation"]!["calm"]!["evaluations"]!.GetValue<int>());
        var audit = File.ReadAllLines(workspace.PathOf(WorkspacePaths.AuditLogPath));
        Assert.Equal(3, audit.Count(l => l.Contains("\"event\":\"level_evaluated\"", StringComparison.Ordinal)));
        Assert.Equal(["YELLOW", "RED"], audit.Where(l => l.Contains("\"event\":\"level_changed\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!["policy"]!.GetValue<string>()));

        var explain = await CliHarness.RunAsync(workspace, null, clock, null, "evaluate", "--explain", "queue_depth");
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains("3 evaluation(s); values from 40 to 2000, median 250; RED 1, YELLOW 1, unknown 0 time(s)", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains("2026-11-25T05:00:00Z  2000   RED", explain.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_warns_of_a_torn_last_line_in_the_audit_log_and_shows_the_evaluations_before_it()
    {
        using var workspace = Workspace(250);
        var clock = new FakeTimeProvider(CliHarness.Now);
        var run = await CliHarness.RunAsync(workspace, null, clock, null, "evaluate", "--record");
        Assert.True(run.ExitCode == 0, run.ToString());
        File.AppendAllText(workspace.PathOf(WorkspacePaths.AuditLogPath), "{\"timestamp\":\"2026-11-24T05:01:00Z\",\"event\":\"level_ev");

        var explain = await CliHarness.RunAsync(workspace, null, clock, null, "evaluate", "--explain", "queue_depth");

        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains("line 1 from the end is an incomplete record (a write was interrupted); it is ignored and left in place", explain.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 evaluation(s)", explain.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_gives_the_level_the_firing_signals_and_each_signal()
    {
        using var workspace = Workspace(5000);

        var result = await CliHarness.RunAsync(workspace, "evaluate", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Stdout)!.AsObject();
        Assert.Equal("RED", report["level"]!.GetValue<string>());
        Assert.False(report["recorded"]!.GetValue<bool>());
        Assert.Equal(["queue_depth"], report["signals_firing"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(3, report["signals"]!.AsArray().Count);
    }

    [Fact]
    public async Task Explain_names_the_signals_when_the_id_is_unknown()
    {
        using var workspace = Workspace(1);

        var result = await CliHarness.RunAsync(workspace, "evaluate", "--explain", "queue");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no signal 'queue'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("queue_depth, manifest, new_threshold", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_level_file_fails_closed_before_any_signal_runs()
    {
        using var workspace = Workspace(1).Write(WorkspacePaths.PolicyStatePath, "{\"level\": \"PURPLE\"}");

        var result = await CliHarness.RunAsync(workspace, "evaluate", "--record");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("level 'PURPLE' is not GREEN, YELLOW or RED", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(workspace.PathOf(WorkspacePaths.AuditLogPath)));
    }
}
