using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>The container action's entry point, run as the runner runs it.</summary>
public sealed class ActionRunTests : IDisposable
{
    private readonly TempWorkspace _workspace = ExampleWorkspace.Copy();
    private readonly RunnerSimulation _runner;

    public ActionRunTests()
    {
        _runner = new RunnerSimulation(_workspace);
    }

    public void Dispose()
    {
        _runner.Dispose();
        _workspace.Dispose();
    }

    [Fact]
    public async Task A_successful_workflow_run_without_auto_apply_is_a_dry_run_with_outputs_and_summary()
    {
        var result = await _runner.WorkflowRun().RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var outputs = _runner.Outputs();
        Assert.Equal(("dry-run", "dry-run"), (outputs["outcome"], outputs["mode"]));
        Assert.Equal("false", outputs["blocked"]);
        Assert.Equal("3", outputs["actions-planned"]);
        Assert.Matches("^sha256:[0-9a-f]{64}$", outputs["plan-digest"]);
        Assert.True(Guid.TryParse(outputs["response-id"], out _));
        Assert.Equal(14, outputs.Count);
        Assert.Equal((string.Empty, string.Empty), (outputs["level"], outputs["level-changed"]));
        Assert.Contains("::group::Gate evaluation", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("::endgroup::", result.Stdout, StringComparison.Ordinal);
        var summary = _runner.Summary();
        Assert.Contains("| Gate | Result | Observed | Limit | Detail |", summary, StringComparison.Ordinal);
        Assert.Contains("| trust_guard | ✅ pass |", summary, StringComparison.Ordinal);
        Assert.Contains("integrity_anchor_mirror", summary, StringComparison.Ordinal);
        Assert.Empty(_workspace.ResponseLines());
    }

    [Fact]
    public async Task Auto_apply_on_a_successful_same_repository_run_applies_and_records_the_trigger()
    {
        var result = await _runner.WorkflowRun().Input("auto-apply", "true").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("applied", "apply"), (_runner.Outputs()["outcome"], _runner.Outputs()["mode"]));
        Assert.Equal("0", _runner.Outputs()["actions-failed"]);
        var started = Assert.Single(_workspace.ResponseLines(), l => l.Contains("response_started", StringComparison.Ordinal));
        Assert.Contains("\"trigger\":\"workflow_run:289782451:1\"", started, StringComparison.Ordinal);
        Assert.Contains("\"run_url\":\"https://github.com/octo-org/octo-repo/actions/runs/9001\"", started, StringComparison.Ordinal);
    }

    [Fact]
    public async Task POLICY_AUTO_APPLY_from_the_workflow_environment_also_applies()
    {
        _runner.Environment["POLICY_AUTO_APPLY"] = "true";

        var result = await _runner.WorkflowRun().RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("apply", _runner.Outputs()["mode"]);
    }

    [Theory]
    [InlineData("failure", "octo-org/octo-repo", "concluded 'failure'")]
    [InlineData("cancelled", "octo-org/octo-repo", "concluded 'cancelled'")]
    [InlineData("success", "evil-fork/octo-repo", "a fork")]
    public async Task Apply_is_refused_for_failed_or_forked_runs_and_the_run_becomes_a_dry_run(string conclusion, string head, string reason)
    {
        var result = await _runner.WorkflowRun(conclusion, head).Input("auto-apply", "true").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        // The trigger turned the apply into a preview: a dry run, not a block.
        Assert.Equal(("dry-run", "dry-run", "false"), (_runner.Outputs()["outcome"], _runner.Outputs()["mode"], _runner.Outputs()["blocked"]));
        Assert.Contains("**Apply refused:** ", _runner.Summary(), StringComparison.Ordinal);
        Assert.Contains("::warning title=Policy response%3A apply refused::apply refused", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_workspace.ResponseLines(), l => l.Contains("response_started", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("pull_request")]
    [InlineData("push")]
    [InlineData("issue_comment")]
    public async Task Untrusted_events_never_apply(string eventName)
    {
        var result = await _runner.Event(eventName, "{}").Input("auto-apply", "true").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("dry-run", _runner.Outputs()["mode"]);
        Assert.Contains($"the '{eventName}' event may not apply", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerun_of_the_same_workflow_run_never_applies_twice()
    {
        Assert.Equal(0, (await _runner.WorkflowRun(attempt: 1).Input("auto-apply", "true").RunAsync()).ExitCode);
        _runner.Environment["GITHUB_RUN_ATTEMPT"] = "2";

        var rerun = await _runner.WorkflowRun(attempt: 1).Input("auto-apply", "true").RunAsync();

        Assert.Equal("dry-run", _runner.Outputs()["mode"]);
        Assert.Contains("already applied", rerun.Stdout, StringComparison.Ordinal);
        Assert.Single(_workspace.ResponseLines(), l => l.Contains("response_started", StringComparison.Ordinal));

        // The triggering run's own re-run is a new event: a new run of this workflow.
        _runner.Environment["GITHUB_RUN_ID"] = "9002";
        _runner.Environment["GITHUB_RUN_ATTEMPT"] = "1";
        var nextAttemptOfTrigger = await _runner.WorkflowRun(attempt: 2).Input("auto-apply", "true").RunAsync();
        Assert.Equal(0, nextAttemptOfTrigger.ExitCode);
        Assert.Equal("apply", _runner.Outputs()["mode"]);
    }

    [Fact]
    public async Task With_commit_artifacts_false_a_rerun_in_a_fresh_checkout_never_applies_again()
    {
        const string Log = "state/policy_response_log.jsonl";
        var checkout = _workspace.Exists(Log) ? _workspace.Read(Log) : null;
        Assert.Equal(0, (await _runner.WorkflowRun().Input("auto-apply", "true").RunAsync()).ExitCode);
        Assert.Equal("apply", _runner.Outputs()["mode"]);

        // The re-run's checkout is the commit the first attempt started from: its records were never committed.
        if (checkout is null)
        {
            File.Delete(_workspace.PathOf(Log));
        }
        else
        {
            _workspace.Write(Log, checkout);
        }

        _runner.Environment["GITHUB_RUN_ATTEMPT"] = "2";
        var rerun = await _runner.WorkflowRun().Input("auto-apply", "true").RunAsync();

        Assert.Equal(0, rerun.ExitCode);
        Assert.Equal("dry-run", _runner.Outputs()["mode"]);
        Assert.Contains("this is attempt 2 of run 9001 and commit-artifacts is false", rerun.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_workspace.ResponseLines(), l => l.Contains("response_started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_token_is_masked_first_and_never_printed_nor_passed_to_actions()
    {
        _workspace.Write(".github/policy-response.yml", """
            version: 1
            levels:
              RED:
                - id: show_env
                  run: ["/usr/bin/env"]
            """);

        var result = await _runner.WorkflowRun().Input("auto-apply", "true").Input("policy", "RED").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal($"::add-mask::{RunnerSimulation.Token}", lines[0]);
        Assert.Equal(1, CountOf(result.Stdout + result.Stderr, RunnerSimulation.Token));
        Assert.DoesNotContain("INPUT_", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[show_env] GITHUB_REPOSITORY=octo-org/octo-repo", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_actions_output_cannot_issue_workflow_commands()
    {
        _workspace.Write(".github/policy-response.yml", """
            version: 1
            levels:
              RED:
                - id: hostile
                  run: ["/usr/bin/printf", "::set-output name=mode::apply\n::add-mask::x\n::error::fake\n"]
            """);

        var result = await _runner.WorkflowRun().Input("auto-apply", "true").Input("policy", "RED").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n').ToList();
        var hostile = lines.FindIndex(l => l.StartsWith("  [hostile] ::set-output", StringComparison.Ordinal));
        var stop = lines.FindLastIndex(hostile, l => l.StartsWith("::stop-commands::", StringComparison.Ordinal));
        Assert.True(stop >= 0, "no ::stop-commands:: before the action's output");
        var token = lines[stop]["::stop-commands::".Length..];
        Assert.Matches("^policy-response-[0-9a-f]{32}$", token);
        var resume = lines.FindIndex(hostile, l => l == $"::{token}::");
        Assert.True(resume > lines.FindIndex(l => l.Contains("::error::fake", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("auto-apply", "yes")]
    [InlineData("fail-on-blocked", "1")]
    [InlineData("command", "destroy")]
    [InlineData("policy", "PURPLE")]
    public async Task A_bad_input_fails_the_step_with_an_annotation_naming_it(string input, string value)
    {
        var result = await _runner.WorkflowRun().Input(input, value).RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("::error::", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(input, result.Stdout, StringComparison.Ordinal);
        Assert.Empty(_workspace.ResponseLines());
    }

    [Theory]
    [InlineData("false", 0)]
    [InlineData("true", 3)]
    public async Task A_block_fails_the_step_only_when_asked(string failOnBlocked, int exitCode)
    {
        _workspace.Write("forensics/safety_brake_state.json", "{\"is_engaged\": true, \"reason\": \"drill\"}");

        var result = await _runner.WorkflowRun().Input("auto-apply", "true").Input("fail-on-blocked", failOnBlocked).RunAsync();

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal("true", _runner.Outputs()["blocked"]);
        Assert.Equal("safety_brake", _runner.Outputs()["blocked-by"]);
        Assert.Equal("blocked", _runner.Outputs()["outcome"]);
        // The annotation on the run page says it: a block passes the step unless fail-on-blocked.
        Assert.Contains("::warning title=Policy response blocked%3A nothing executed::blocked by safety_brake: nothing was executed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preview_the_brake_blocks_is_blocked_in_mode_dry_run()
    {
        _workspace.Write("forensics/safety_brake_state.json", "{\"is_engaged\": true, \"reason\": \"drill\"}");

        var result = await _runner.WorkflowRun().RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("blocked", "dry-run", "true"), (_runner.Outputs()["outcome"], _runner.Outputs()["mode"], _runner.Outputs()["blocked"]));
        Assert.StartsWith("## ⛔ Blocked by safety_brake: nothing executed", _runner.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gates_command_runs_no_response_and_leaves_outcome_empty()
    {
        _workspace.Write("forensics/safety_brake_state.json", "{\"is_engaged\": true, \"reason\": \"drill\"}");

        var result = await _runner.WorkflowRun().Input("command", "gates").RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal((string.Empty, "true"), (_runner.Outputs()["outcome"], _runner.Outputs()["blocked"]));
        Assert.StartsWith("## ⛔ Blocked by safety_brake at RED", _runner.Summary(), StringComparison.Ordinal);
        Assert.Contains("command=brake-release", _runner.Summary(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reports/policy_orchestration_alerts.json", "{\"alerts\": [")]
    [InlineData(".github/policy-response.yml", null)]
    public async Task An_exit_2_after_the_trigger_check_leaves_no_level_record(string file, string? content)
    {
        if (content is null)
        {
            // A configuration whose alerts section is wrong: only the alert stage reads it.
            _workspace.Write(file, _workspace.Read(file) + "\nalerts:\n  min_severity: loud\n");
        }
        else
        {
            _workspace.Write(file, content);
        }

        var logBefore = _workspace.Exists("state/policy_response_log.jsonl") ? _workspace.Read("state/policy_response_log.jsonl") : null;

        var result = await _runner.WorkflowRun().Input("command", "run").RunAsync();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(file.Split('/')[^1], result.Stdout, StringComparison.Ordinal);
        Assert.Equal(logBefore, _workspace.Exists("state/policy_response_log.jsonl") ? _workspace.Read("state/policy_response_log.jsonl") : null);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
