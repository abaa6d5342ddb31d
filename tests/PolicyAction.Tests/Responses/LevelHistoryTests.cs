using System.Text.Json.Nodes;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Responses;

/// <summary>
/// The level history (the audit log's <c>level_changed</c> records, which <c>red_flips</c> counts), through the built
/// tool as real processes: it records the levels the tool observes (the state file, the action's 'policy' input); a
/// --policy on the command line is a what-if that records nothing, previewed or applied.
/// </summary>
public sealed class LevelHistoryTests : IDisposable
{
    private readonly TempWorkspace _workspace = ExampleWorkspace.Copy();

    public void Dispose() => _workspace.Dispose();

    private Task<CliResult> Run(params string[] args) => ProcessCli.RunAsync(_workspace, args);

    /// <summary>The level_changed records as (policy, previous_policy).</summary>
    private (string Policy, string? Previous)[] Levels() =>
        [.. _workspace.AuditLines()
            .Select(l => JsonNode.Parse(l)!)
            .Where(r => r["event"]!.GetValue<string>() == "level_changed")
            .Select(r => (r["policy"]!.GetValue<string>(), r["previous_policy"]?.GetValue<string>()))];

    private void StateLevel(string level) => _workspace.Write("state/policy_state.json", $$"""{"level": "{{level}}", "updated_at": "2026-11-24T04:45:00Z"}""");

    [Fact]
    public async Task Alternating_what_if_previews_leave_no_level_change_and_red_flips_does_not_fire()
    {
        foreach (var level in new[] { "GREEN", "RED", "YELLOW", "RED", "GREEN", "RED" })
        {
            var preview = await Run("respond", "--policy", level);

            Assert.True(preview.ExitCode == 0, preview.ToString());
            if (level == "RED")
            {
                // The state file's level, which the next normal run records: the what-if changes nothing.
                Assert.DoesNotContain("what-if", preview.Stdout, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(
                    $"what-if: --policy {level} differs from the state file's level RED (state/policy_state.json; no level recorded yet); no level change recorded",
                    preview.Stdout,
                    StringComparison.Ordinal);
            }
        }

        var alerts = await Run("alerts", "--json");

        Assert.Empty(Levels());
        Assert.True(alerts.ExitCode == 0, alerts.ToString());
        var redFlips = JsonNode.Parse(alerts.Stdout)!["alerts"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == "red_flips")!;
        Assert.False(redFlips["firing"]!.GetValue<bool>(), alerts.ToString());
    }

    [Fact]
    public async Task A_what_if_names_the_recorded_level_in_the_output_and_the_preview()
    {
        Assert.Equal(0, (await Run("respond")).ExitCode);

        var text = await Run("respond", "--policy", "GREEN");
        var json = await Run("respond", "--policy", "YELLOW", "--json");
        var preview = JsonNode.Parse(_workspace.Read("state/policy_response_preview.json"))!;
        var same = await Run("respond", "--policy", "RED");

        Assert.Contains("what-if: --policy GREEN differs from the recorded level RED; no level change recorded", text.Stdout, StringComparison.Ordinal);
        Assert.Equal("--policy YELLOW differs from the recorded level RED; no level change recorded", JsonNode.Parse(json.Stdout)!["what_if"]!.GetValue<string>());
        Assert.Equal("--policy YELLOW differs from the recorded level RED; no level change recorded", preview["what_if"]!.GetValue<string>());
        Assert.DoesNotContain("what-if", same.Stdout, StringComparison.Ordinal);
        Assert.Equal([("RED", null)], Levels());
    }

    [Fact]
    public async Task A_level_from_the_state_file_is_recorded()
    {
        var red = await Run("respond");
        StateLevel("YELLOW");
        var yellow = await Run("respond");

        Assert.True(red.ExitCode == 0, red.ToString());
        Assert.True(yellow.ExitCode == 0, yellow.ToString());
        Assert.DoesNotContain("what-if", red.Stdout + yellow.Stdout, StringComparison.Ordinal);
        Assert.Equal([("RED", null), ("YELLOW", "RED")], Levels());
        Assert.DoesNotContain("what_if", _workspace.Read("state/policy_response_preview.json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_actions_policy_input_is_recorded()
    {
        StateLevel("GREEN");
        using var runner = new RunnerSimulation(_workspace);

        var result = await runner.WorkflowRun().Input("policy", "YELLOW").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("what-if", result.Stdout, StringComparison.Ordinal);
        Assert.Equal([("YELLOW", null)], Levels());
    }

    [Fact]
    public async Task An_apply_of_a_given_level_records_no_level_change_so_the_next_run_records_no_flip_back()
    {
        // The state file says RED throughout: applying YELLOW on the command line and then running as usual is no flip.
        var apply = await Run("respond", "--policy", "YELLOW", "--apply");
        var next = await Run("respond");
        var alerts = await Run("alerts", "--json");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Equal([("RED", null)], Levels());
        var redFlips = JsonNode.Parse(alerts.Stdout)!["alerts"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == "red_flips")!;
        Assert.False(redFlips["firing"]!.GetValue<bool>(), alerts.ToString());
        Assert.Contains("\"policy\":\"YELLOW\"", string.Concat(_workspace.AuditLines().Where(l => l.Contains("action_finished", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.Contains(
            "what-if: --policy YELLOW differs from the state file's level RED (state/policy_state.json; no level recorded yet); no level change recorded",
            apply.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_state_file_or_a_recorded_level_the_what_if_says_so()
    {
        File.Delete(_workspace.PathOf("state/policy_state.json"));

        var preview = await Run("respond", "--policy", "YELLOW");

        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Contains("what-if: --policy YELLOW: no level recorded yet, and no state/policy_state.json; no level change recorded", preview.Stdout, StringComparison.Ordinal);
        Assert.Empty(Levels());
    }

    [Fact]
    public async Task A_refused_apply_of_a_given_level_ran_nothing_and_records_nothing()
    {
        Assert.Equal(0, (await Run("respond")).ExitCode);
        Assert.Equal(0, (await Run("brake", "engage", "--reason", "drill")).ExitCode);

        var apply = await Run("respond", "--policy", "YELLOW", "--apply");

        Assert.True(apply.ExitCode == 3, apply.ToString());
        Assert.Contains("what-if: --policy YELLOW differs from the recorded level RED; no level change recorded", apply.Stdout, StringComparison.Ordinal);
        Assert.Equal([("RED", null)], Levels());
    }
}
