using System.Text.Json;
using PolicyAction;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.Responses;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Responses;

public sealed class ResponseServiceTests : IDisposable
{
    private const string Config = """
        version: 1
        gates:
          max_responses_per_24h: 2
        levels:
          YELLOW:
            - id: check
              run: ["/bin/true"]
          RED:
            - id: first
              run: ["/bin/echo", "first"]
            - id: mirror
              run: ["/bin/cp", "anchors/chain.json", "mirrors/chain.json"]
              reversible:
                paths: ["mirrors/chain.json", "mirrors/new.json"]
            - id: last
              run: ["/bin/echo", "last"]
        """;

    private readonly TempWorkspace _workspace = new();
    private readonly FakeTimeProvider _clock = new(CliHarness.Now);
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public ResponseServiceTests()
    {
        _workspace.WithConfig(Config)
            .Write("anchors/chain.json", "{\"chain\": [1, 2]}")
            .Write("mirrors/chain.json", "{\"chain\": [1]}");
    }

    private StateStore Store => new(new WorkspacePaths(_workspace.Root));

    public void Dispose()
    {
        _workspace.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    private ResponseService Service(IProcessRunner? processes = null) => new(
        Store,
        ConfigLoader.Load(_workspace.ConfigPath),
        new GateEvaluator(),
        new ExecutableResolver("/usr/bin:/bin", _workspace.Root),
        processes ?? new ScriptedProcessRunner(),
        _clock,
        new Reporter(_output, _error),
        RunContext.FromVariables(new Dictionary<string, string> { ["GITHUB_ACTOR"] = "octocat", ["GITHUB_TOKEN"] = "ghs_secret", ["PATH"] = "/bin" }));

    private Task<RespondResult> Respond(PolicyLevel level, bool apply, IProcessRunner? processes = null, string? digest = null) =>
        Service(processes).RespondAsync(new RespondRequest(level, apply, digest), CancellationToken.None);

    /// <summary>The audit log without the level history (tested on its own below).</summary>
    private AuditRecord[] Log() => Store.AuditLog.Read().Records.Where(r => r.Event != AuditEvents.LevelChanged).ToArray();

    private AuditRecord[] LevelHistory() => Store.AuditLog.Read().Records.Where(r => r.Event == AuditEvents.LevelChanged).ToArray();

    [Fact]
    public async Task Every_response_records_the_level_when_it_differs_from_the_last_one()
    {
        await Respond(PolicyLevel.Yellow, apply: false);
        await Respond(PolicyLevel.Yellow, apply: false);
        _clock.Advance(TimeSpan.FromHours(1));
        await Respond(PolicyLevel.Red, apply: false);
        await Respond(PolicyLevel.Green, apply: true);

        var history = LevelHistory();
        Assert.Equal(["YELLOW", "RED", "GREEN"], history.Select(r => r.Policy));
        Assert.Equal([null, "YELLOW", "RED"], history.Select(r => r.PreviousPolicy));
        Assert.Equal(CliHarness.Now.AddHours(1), history[1].Timestamp);
    }

    [Fact]
    public async Task A_preview_that_cannot_be_written_leaves_no_level_record()
    {
        Directory.CreateDirectory(_workspace.PathOf("state/policy_response_preview.json"));

        await Assert.ThrowsAnyAsync<PolicyActionException>(() => Respond(PolicyLevel.Red, apply: false));

        Assert.Empty(LevelHistory());
    }

    [Fact]
    public async Task The_level_history_is_looked_for_only_within_its_window()
    {
        await Respond(PolicyLevel.Red, apply: false);
        _clock.Advance(TimeSpan.FromDays(40));
        await Respond(PolicyLevel.Yellow, apply: true);
        _clock.Advance(TimeSpan.FromDays(40));

        await Respond(PolicyLevel.Yellow, apply: false);

        var history = LevelHistory();
        Assert.Equal(["RED", "YELLOW", "YELLOW"], history.Select(r => r.Policy));
        Assert.Null(history[2].PreviousPolicy);
    }

    [Fact]
    public async Task The_blocked_report_keeps_the_audit_marker_greppable()
    {
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = true });

        await Respond(PolicyLevel.Red, apply: true);

        Assert.Contains("\"audit_marker\": \"<!-- POLICY_RESPONSE: BLOCKED 2026-11-24T05:00:00Z -->\"", _workspace.Read("reports/policy_response_blocked.json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_writes_the_preview_and_executes_nothing()
    {
        var processes = new ScriptedProcessRunner();

        var result = await Respond(PolicyLevel.Red, apply: false, processes);

        Assert.Equal(ResponseOutcome.DryRun, result.Outcome);
        Assert.Empty(processes.Started);
        Assert.Empty(Log());
        using var preview = JsonDocument.Parse(_workspace.Read("state/policy_response_preview.json"));
        var root = preview.RootElement;
        Assert.True(Guid.TryParse(root.GetProperty("response_id").GetString(), out _));
        Assert.Equal("RED", root.GetProperty("policy").GetString());
        Assert.Equal("dry-run", root.GetProperty("mode").GetString());
        Assert.Equal(3, root.GetProperty("actions_planned").GetInt32());
        Assert.True(root.GetProperty("safety_gates_passed").GetBoolean());
        Assert.Equal(5, root.GetProperty("gates").GetArrayLength());
        Assert.Equal(result.Report.PlanDigest, root.GetProperty("plan_digest").GetString());
        var results = root.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["first", "mirror", "last"], results.Select(r => r.GetProperty("action").GetString()));
        Assert.All(results, r => Assert.StartsWith("[DRY-RUN] Would execute", r.GetProperty("stdout").GetString(), StringComparison.Ordinal));
        Assert.True(results[1].GetProperty("reversible").GetBoolean());
        Assert.False(results[0].GetProperty("reversible").GetBoolean());
        Assert.False(string.IsNullOrEmpty(results[1].GetProperty("undo_instruction").GetString()));
        var gate = root.GetProperty("gates")[0];
        Assert.Equal(["name", "passed", "observed", "limit", "detail"], gate.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Green_is_a_no_op_that_says_so()
    {
        var processes = new ScriptedProcessRunner();

        var result = await Respond(PolicyLevel.Green, apply: true, processes);

        Assert.Equal(ResponseOutcome.NothingToDo, result.Outcome);
        Assert.Empty(processes.Started);
        Assert.Empty(Log());
        Assert.Equal(0, result.Report.ActionsPlanned);
        Assert.Contains("GREEN", result.Report.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was executed", result.Report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_runs_every_action_in_order_and_logs_start_outcomes_and_finish()
    {
        var processes = new ScriptedProcessRunner();

        var result = await Respond(PolicyLevel.Red, apply: true, processes);

        Assert.Equal(ResponseOutcome.Applied, result.Outcome);
        Assert.Equal(["/bin/echo", "/bin/cp", "/bin/echo"], processes.Started.Select(s => s.Executable));
        Assert.Equal(["anchors/chain.json", "mirrors/chain.json"], processes.Started[1].Arguments);
        Assert.All(processes.Started, s => Assert.Equal(_workspace.Root, s.WorkingDirectory));
        Assert.All(processes.Started, s => Assert.False(s.Environment.ContainsKey("GITHUB_TOKEN")));
        Assert.Equal("RED", processes.Started[0].Environment["POLICY_LEVEL"]);
        Assert.Equal(
            [AuditEvents.ResponseStarted, AuditEvents.ActionFinished, AuditEvents.ActionFinished, AuditEvents.ActionFinished, AuditEvents.ResponseFinished],
            Log().Select(r => r.Event));
        Assert.All(Log(), r => Assert.Equal(result.Report.ResponseId, r.ResponseId));
        Assert.Equal("succeeded", Log()[^1].Status);
        Assert.False(_workspace.Exists("state/policy_response_preview.json"));
    }

    [Fact]
    public async Task The_undo_record_holds_the_original_bytes_before_the_reversible_action_runs()
    {
        UndoRecord? seenWhileRunning = null;
        var processes = new ScriptedProcessRunner(spec =>
        {
            if (spec.Executable == "/bin/cp")
            {
                seenWhileRunning = JsonSerializer.Deserialize(
                    File.ReadAllBytes(Directory.GetFiles(_workspace.PathOf("state"), "policy_response_undo_*.json").Single()),
                    ResponseJsonContext.Default.UndoRecord);
                File.WriteAllText(_workspace.PathOf("mirrors/chain.json"), "changed");
            }

            return ScriptedProcessRunner.Exit(0);
        });

        var result = await Respond(PolicyLevel.Red, apply: true, processes);

        Assert.NotNull(seenWhileRunning);
        Assert.Equal(UndoStatuses.Pending, seenWhileRunning.Status);
        var files = Assert.Single(seenWhileRunning.Actions).Files;
        Assert.Equal("{\"chain\": [1]}", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(files[0].ContentBase64!)));
        Assert.False(files[1].Existed);
        var final = Store.ReadUndo(result.Report.ResponseId)!;
        Assert.Equal(UndoStatuses.Complete, final.Status);
        Assert.Equal($"state/policy_response_undo_{result.Report.ResponseId:D}.json", result.Report.UndoFile);
        Assert.Contains($"policy-response undo {result.Report.ResponseId:D} --apply", result.Report.Results[1].UndoInstruction, StringComparison.Ordinal);
        Assert.Equal(result.Report.Results[1].UndoInstruction, final.Actions[0].UndoInstruction);

        // While the action ran, what it would leave was unknown; once it had run, the record holds what it left.
        Assert.All(files, f => Assert.Null(f.ExistedAfter));
        Assert.Equal(
            [(true, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("changed"u8.ToArray()))), (false, null)],
            final.Actions[0].Files.Select(f => (f.ExistedAfter!.Value, f.AfterSha256)));
    }

    [Fact]
    public async Task An_applied_action_that_did_not_run_carries_no_undo_instruction()
    {
        var processes = new ScriptedProcessRunner(spec => spec.Arguments is ["first"] ? ScriptedProcessRunner.Exit(3) : ScriptedProcessRunner.Exit(0));

        var result = await Respond(PolicyLevel.Red, apply: true, processes);

        Assert.Equal("skipped", result.Report.Results[1].Status.ToWire());
        Assert.Null(result.Report.Results[1].UndoInstruction);
        Assert.Null(result.Report.UndoFile);
        Assert.DoesNotContain("policy-response undo", ResponseText.Render(result, Store.Paths), StringComparison.Ordinal);
        Assert.Contains("reversible: mirrors/chain.json, mirrors/new.json; did not run, nothing to undo", ResponseText.Render(result, Store.Paths), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_action_stops_the_rest_and_exits_1()
    {
        var processes = new ScriptedProcessRunner(spec => spec.Arguments is ["first"] ? ScriptedProcessRunner.Exit(3) : ScriptedProcessRunner.Exit(0));

        var result = await Respond(PolicyLevel.Red, apply: true, processes);

        Assert.Equal(ResponseOutcome.ActionFailed, result.Outcome);
        Assert.Single(processes.Started);
        Assert.Equal(["failed", "skipped", "skipped"], result.Report.Results.Select(r => r.Status.ToWire()));
        Assert.Equal(1, result.Report.ActionsFailed);
        Assert.Equal("failed", Log()[^1].Status);
        Assert.Equal(3, Log()[1].ExitCode);
    }

    [Fact]
    public async Task Continue_on_error_lets_later_actions_run()
    {
        _workspace.WithConfig(Config.Replace("run: [\"/bin/echo\", \"first\"]", "run: [\"/bin/echo\", \"first\"]\n      continue_on_error: true", StringComparison.Ordinal));
        var processes = new ScriptedProcessRunner(spec => spec.Arguments is ["first"] ? ScriptedProcessRunner.TimedOut() : ScriptedProcessRunner.Exit(0));

        var result = await Respond(PolicyLevel.Red, apply: true, processes);

        Assert.Equal(ResponseOutcome.ActionFailed, result.Outcome);
        Assert.Equal(3, processes.Started.Count);
        Assert.Equal(["timed_out", "succeeded", "succeeded"], result.Report.Results.Select(r => r.Status.ToWire()));
    }

    [Fact]
    public async Task A_blocked_response_executes_nothing_and_writes_the_blocked_report_with_the_audit_marker()
    {
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = true, Reason = "drill", EngagedAt = CliHarness.Now.AddHours(-1) });
        var processes = new ScriptedProcessRunner();

        var result = await Respond(PolicyLevel.Red, apply: true, processes);

        Assert.Equal(ResponseOutcome.Blocked, result.Outcome);
        Assert.Empty(processes.Started);
        using var blocked = JsonDocument.Parse(_workspace.Read("reports/policy_response_blocked.json"));
        Assert.Equal("<!-- POLICY_RESPONSE: BLOCKED 2026-11-24T05:00:00Z -->", blocked.RootElement.GetProperty("audit_marker").GetString());
        Assert.Equal(["safety_brake"], blocked.RootElement.GetProperty("blocked_by").EnumerateArray().Select(e => e.GetString()));
        var record = Assert.Single(Log());
        Assert.Equal(AuditEvents.ResponseBlocked, record.Event);
        Assert.Equal(["safety_brake"], record.BlockedBy);
    }

    [Fact]
    public async Task The_rate_limit_counts_applied_responses_across_runs_from_the_audit_log()
    {
        Assert.Equal(ResponseOutcome.Applied, (await Respond(PolicyLevel.Yellow, apply: true)).Outcome);
        Assert.Equal(ResponseOutcome.DryRun, (await Respond(PolicyLevel.Yellow, apply: false)).Outcome);
        Assert.Equal(ResponseOutcome.Applied, (await Respond(PolicyLevel.Yellow, apply: true)).Outcome);

        var third = await Respond(PolicyLevel.Yellow, apply: true);

        Assert.Equal(ResponseOutcome.Blocked, third.Outcome);
        Assert.Equal([GateNames.RateLimit], third.Report.BlockedBy);

        _clock.Advance(TimeSpan.FromHours(24));
        Assert.Equal(ResponseOutcome.Applied, (await Respond(PolicyLevel.Yellow, apply: true)).Outcome);
    }

    [Fact]
    public async Task A_back_dated_record_cannot_hide_the_applied_responses_from_the_rate_limit()
    {
        Assert.Equal(ResponseOutcome.Applied, (await Respond(PolicyLevel.Yellow, apply: true)).Outcome);
        Assert.Equal(ResponseOutcome.Applied, (await Respond(PolicyLevel.Yellow, apply: true)).Outcome);
        ForgedRecords.AppendChained(Store.AuditLog, new AuditRecord { Timestamp = CliHarness.Now.AddHours(-30), Event = AuditEvents.BrakeReleased, Actor = "mallory" });
        var before = File.ReadAllBytes(Store.AuditLog.Path);
        var processes = new ScriptedProcessRunner();

        var refused = await Assert.ThrowsAsync<StateFileException>(() => Respond(PolicyLevel.Yellow, apply: true, processes));

        Assert.Equal(ExitCodes.UsageOrStateError, refused.ExitCode);
        Assert.Contains("is dated 2026-11-22T23:00:00Z", refused.Message, StringComparison.Ordinal);
        Assert.Contains("back-dated", refused.Message, StringComparison.Ordinal);
        Assert.Empty(processes.Started);
        Assert.Equal(before, File.ReadAllBytes(Store.AuditLog.Path));
    }

    [Fact]
    public async Task A_back_dated_record_cannot_hide_an_interrupted_response()
    {
        var interrupted = new AuditRecord { Timestamp = CliHarness.Now.AddHours(-2), Event = AuditEvents.ResponseStarted, Actor = "octocat", Policy = "RED", Mode = "apply", ResponseId = Guid.NewGuid() };
        Store.AuditLog.Append(interrupted);
        ForgedRecords.AppendChained(Store.AuditLog, new AuditRecord { Timestamp = CliHarness.Now.AddDays(-8), Event = AuditEvents.BrakeReleased, Actor = "mallory" });
        var processes = new ScriptedProcessRunner();

        var refused = await Assert.ThrowsAsync<StateFileException>(() => Respond(PolicyLevel.Red, apply: true, processes));

        Assert.Contains("back-dated", refused.Message, StringComparison.Ordinal);
        Assert.Empty(processes.Started);
    }

    [Fact]
    public async Task Apply_with_the_previewed_digest_runs_and_with_another_is_refused()
    {
        var preview = await Respond(PolicyLevel.Red, apply: false);
        var processes = new ScriptedProcessRunner();

        var stale = await Respond(PolicyLevel.Red, apply: true, processes, digest: "sha256:" + new string('0', 64));
        Assert.Equal(ResponseOutcome.Blocked, stale.Outcome);
        Assert.Empty(processes.Started);
        Assert.Contains("plan changed", stale.Report.Message, StringComparison.Ordinal);

        var approved = await Respond(PolicyLevel.Red, apply: true, processes, digest: preview.Report.PlanDigest);
        Assert.Equal(ResponseOutcome.Applied, approved.Outcome);
        Assert.Equal(3, processes.Started.Count);
    }

    [Fact]
    public async Task A_change_to_the_config_after_review_changes_the_digest_and_refuses_the_apply()
    {
        var preview = await Respond(PolicyLevel.Red, apply: false);
        _workspace.WithConfig(Config.Replace("\"first\"]", "\"other\"]", StringComparison.Ordinal));
        var processes = new ScriptedProcessRunner();

        var result = await Respond(PolicyLevel.Red, apply: true, processes, digest: preview.Report.PlanDigest);

        Assert.Equal(ResponseOutcome.Blocked, result.Outcome);
        Assert.Empty(processes.Started);
    }

    [Fact]
    public async Task An_unresolvable_program_stops_the_plan_before_anything_runs()
    {
        _workspace.WithConfig(Config.Replace("/bin/echo\", \"last\"", "no-such-tool-xyz\", \"last\"", StringComparison.Ordinal));
        var processes = new ScriptedProcessRunner();

        var error = await Assert.ThrowsAsync<UsageException>(() => Respond(PolicyLevel.Red, apply: true, processes));

        Assert.Contains("no-such-tool-xyz", error.Message, StringComparison.Ordinal);
        Assert.Empty(processes.Started);
        Assert.Empty(Log());
    }

    [Fact]
    public async Task A_reversible_path_through_a_symlink_fails_that_action_without_running_it()
    {
        using var outside = new TempWorkspace();
        Directory.Delete(_workspace.PathOf("mirrors"), recursive: true);
        Directory.CreateSymbolicLink(_workspace.PathOf("mirrors"), outside.Root);
        var processes = new ScriptedProcessRunner();

        var result = await Respond(PolicyLevel.Red, apply: true, processes);

        Assert.Equal(ResponseOutcome.ActionFailed, result.Outcome);
        Assert.Equal(["/bin/echo"], processes.Started.Select(s => s.Executable));
        Assert.Contains("symbolic link", result.Report.Results[1].Stderr, StringComparison.Ordinal);
    }
}
