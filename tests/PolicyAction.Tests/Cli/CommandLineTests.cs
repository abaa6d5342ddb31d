using System.Text.Json;
using PolicyAction.Cli;
using PolicyAction.Responses;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Cli;

public sealed class CommandLineTests : IDisposable
{
    private readonly TempWorkspace _workspace = new TempWorkspace().WithConfig(TempWorkspace.MinimalConfig);

    public void Dispose() => _workspace.Dispose();

    private Task<CliResult> Run(params string[] args) => CliHarness.RunAsync(_workspace, args);

    private Task<CliResult> RunWith(Dictionary<string, string> env, params string[] args) => CliHarness.RunAsync(_workspace, env, null, null, args);

    [Theory]
    [InlineData("gates")]
    [InlineData("respond")]
    [InlineData("undo")]
    [InlineData("acknowledge")]
    [InlineData("trust")]
    [InlineData("trust", "status")]
    [InlineData("trust", "lock")]
    [InlineData("trust", "unlock")]
    [InlineData("trust", "force-unlock")]
    [InlineData("brake")]
    [InlineData("brake", "status")]
    [InlineData("brake", "engage")]
    [InlineData("brake", "release")]
    [InlineData("status")]
    [InlineData("alerts")]
    [InlineData("verify-log")]
    [InlineData("action")]
    [InlineData("run")]
    public async Task Every_command_has_help(params string[] command)
    {
        var result = await Run([.. command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--workspace", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("respond", "--bogus")]
    [InlineData("trust", "lock")]
    [InlineData("trust", "force-unlock", "--reason", "x")]
    [InlineData("verify-log", "--checkpoint", "12")]
    public async Task Bad_usage_exits_2_with_a_message(params string[] args)
    {
        var result = await Run(args);

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("error:", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("", false)]
    public void POLICY_AUTO_APPLY_accepts_only_true_or_false(string value, bool apply) =>
        Assert.Equal(apply, ApplySwitch.Resolve(false, value));

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("on")]
    [InlineData("truee")]
    public async Task Any_other_POLICY_AUTO_APPLY_exits_2_and_runs_nothing(string value)
    {
        var result = await RunWith(new() { ["POLICY_AUTO_APPLY"] = value }, "respond", "--policy", "RED");

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("POLICY_AUTO_APPLY", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_workspace.ResponseLines());
        Assert.False(_workspace.Exists("state/policy_response_preview.json"));
    }

    [Fact]
    public async Task POLICY_AUTO_APPLY_true_applies_without_the_flag()
    {
        var result = await RunWith(new() { ["POLICY_AUTO_APPLY"] = "true" }, "respond", "--policy", "RED");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("[say_red] red", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("response_started", _workspace.ResponseLines()[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_level_comes_from_the_policy_state_file_when_not_given()
    {
        _workspace.Write("state/policy_state.json", "{\"level\": \"YELLOW\", \"updated_at\": \"2026-11-24T04:45:00Z\"}");

        var result = await Run("respond", "--json");

        Assert.Equal(0, result.ExitCode);
        using var report = JsonDocument.Parse(result.Stdout);
        Assert.Equal("YELLOW", report.RootElement.GetProperty("policy").GetString());
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("{\"level\": \"PURPLE\"}", "PURPLE")]
    [InlineData("{\"level\": ", "not valid")]
    public async Task Without_a_usable_level_nothing_runs(string? state, string words)
    {
        if (state is not null)
        {
            _workspace.Write("state/policy_state.json", state);
        }

        var result = await Run("respond", "--apply");

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains(words, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_workspace.ResponseLines());
    }

    [Fact]
    public async Task An_unknown_policy_value_exits_2()
    {
        var result = await Run("respond", "--policy", "ORANGE");

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("ORANGE", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gates_json_lists_every_gate_with_what_it_saw()
    {
        var result = await Run("gates", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(5, json.RootElement.GetProperty("gates").GetArrayLength());
    }

    [Fact]
    public async Task Status_json_summarises_the_workspace()
    {
        await Run("trust", "lock", "--reason", "drill");

        var result = await Run("status", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.True(json.RootElement.GetProperty("trust_locked").GetBoolean());
        Assert.False(json.RootElement.GetProperty("brake_engaged").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("responses_last24h").GetInt32());
    }

    [Fact]
    public async Task Verify_log_prints_a_checkpoint_that_a_later_truncation_fails_against()
    {
        Assert.Equal(0, (await Run("brake", "engage", "--reason", "one")).ExitCode);
        Assert.Equal(0, (await Run("brake", "release", "--reason", "two")).ExitCode);
        var first = await Run("verify-log");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("chain intact, 2 record(s)", first.Stdout, StringComparison.Ordinal);
        var checkpoint = first.Stdout.Split('\n').Single(l => l.StartsWith("checkpoint: ", StringComparison.Ordinal))["checkpoint: ".Length..];

        var lines = _workspace.AuditLines();
        _workspace.Write("state/policy_response_log.jsonl", lines[0] + "\n");
        var truncated = await Run("verify-log", "--checkpoint", checkpoint);

        Assert.Equal(2, truncated.ExitCode);
        Assert.Contains("chain BROKEN", truncated.Stdout, StringComparison.Ordinal);
        Assert.Contains("it was truncated", truncated.Stdout, StringComparison.Ordinal);
        var json = await Run("verify-log", "--checkpoint", checkpoint, "--json");
        using var report = JsonDocument.Parse(json.Stdout);
        Assert.False(report.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal(1, report.RootElement.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task A_back_dated_record_is_reported_by_verify_log_and_stops_the_gates_with_exit_2()
    {
        Assert.Equal(0, (await Run("brake", "engage", "--reason", "one")).ExitCode);
        var checkpoint = (await Run("verify-log")).Stdout.Split('\n').Single(l => l.StartsWith("checkpoint: ", StringComparison.Ordinal))["checkpoint: ".Length..];
        ForgedRecords.AppendChained(
            new AuditLog(_workspace.PathOf("state/policy_response_log.jsonl")),
            new AuditRecord { Timestamp = CliHarness.Now.AddHours(-30), Event = AuditEvents.BrakeReleased, Actor = "mallory" });

        var verified = await Run("verify-log", "--checkpoint", checkpoint);
        var gates = await Run("gates");

        Assert.Equal(2, verified.ExitCode);
        Assert.Contains("chain BROKEN", verified.Stdout, StringComparison.Ordinal);
        Assert.Contains("back-dated", verified.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, gates.ExitCode);
        Assert.Contains("record 2 is dated 2026-11-22T23:00:00Z", gates.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gates_with_a_plan_digest_report_the_digest_gate()
    {
        var preview = await Run("respond", "--policy", "RED", "--json");
        var digest = JsonDocument.Parse(preview.Stdout).RootElement.GetProperty("plan_digest").GetString()!;

        var approved = await Run("gates", "--plan-digest", digest, "--policy", "RED");
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.Contains("plan_digest", approved.Stdout, StringComparison.Ordinal);

        var changed = await Run("gates", "--plan-digest", "sha256:" + new string('0', 64), "--policy", "RED", "--json");
        Assert.Equal(3, changed.ExitCode);
        using var json = JsonDocument.Parse(changed.Stdout);
        Assert.Equal(digest, json.RootElement.GetProperty("plan_digest").GetString());
        var gate = json.RootElement.GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "plan_digest");
        Assert.False(gate.GetProperty("passed").GetBoolean());
        Assert.Equal(digest, gate.GetProperty("observed").GetString());
    }

    [Fact]
    public async Task Acknowledge_settles_only_an_interrupted_response_and_needs_a_reason()
    {
        var id = Guid.NewGuid();
        new PolicyAction.State.AuditLog(_workspace.PathOf("state/policy_response_log.jsonl")).Append(new PolicyAction.State.AuditRecord
        {
            Timestamp = CliHarness.Now.AddHours(-1),
            Event = PolicyAction.State.AuditEvents.ResponseStarted,
            ResponseId = id,
            Policy = "RED",
            Mode = "apply",
            ActionsPlanned = 1,
        });

        var gates = await Run("gates");
        Assert.Equal(3, gates.ExitCode);
        Assert.Contains("BLOCKED by interrupted_response", gates.Stdout, StringComparison.Ordinal);
        Assert.Contains($"response {id:D} (RED, started 2026-11-24T04:00:00Z) did not finish", gates.Stdout, StringComparison.Ordinal);

        var blocked = await Run("respond", "--policy", "RED");
        Assert.Equal(3, blocked.ExitCode);
        Assert.Contains($"interrupted_response: response {id:D} (RED, started 2026-11-24T04:00:00Z) did not finish: 0 of 1 action(s) recorded", blocked.Stdout, StringComparison.Ordinal);

        Assert.Equal(2, (await Run("acknowledge", Guid.NewGuid().ToString("D"), "--reason", "x")).ExitCode);
        Assert.Equal(2, (await Run("acknowledge", id.ToString("D"), "--reason", " ")).ExitCode);
        var acknowledged = await Run("acknowledge", id.ToString("D"), "--reason", "checked the mirror by hand");
        Assert.Equal(0, acknowledged.ExitCode);
        Assert.Contains("interruption_acknowledged", _workspace.AuditLines()[^1], StringComparison.Ordinal);
        Assert.Equal(0, (await Run("respond", "--policy", "RED")).ExitCode);
        Assert.Equal(0, (await Run("gates")).ExitCode);
        Assert.Equal(2, (await Run("acknowledge", id.ToString("D"), "--reason", "again")).ExitCode);
    }

    [Fact]
    public async Task Undo_rejects_something_that_is_not_a_response_id()
    {
        var result = await Run("undo", "../../etc/passwd");

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("not a response id", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workspace_that_does_not_exist_exits_2()
    {
        var result = await CliHarness.RunAsync(_workspace, "gates", "--workspace", _workspace.PathOf("missing"));

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_exits_1_while_a_high_or_critical_alert_fires_and_0_when_it_resolves()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CliHarness.Now);
        await CliHarness.RunAsync(_workspace, null, clock, null, "brake", "engage", "--reason", "drill");
        clock.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));

        var firing = await CliHarness.RunAsync(_workspace, null, clock, null, "alerts");
        await CliHarness.RunAsync(_workspace, null, clock, null, "brake", "release", "--reason", "done");
        var quiet = await CliHarness.RunAsync(_workspace, null, clock, null, "alerts");

        Assert.Equal(1, firing.ExitCode);
        Assert.Contains("brake_engaged", firing.Stdout, StringComparison.Ordinal);
        Assert.Contains("FIRING", firing.Stdout, StringComparison.Ordinal);
        Assert.Contains("brake_engaged fired", firing.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, quiet.ExitCode);
        Assert.Contains("brake_engaged resolved", quiet.Stdout, StringComparison.Ordinal);
        Assert.Contains("not evaluated", quiet.Stdout, StringComparison.Ordinal);
    }

    private const string IncompleteRecord = "is an incomplete record (a write was interrupted); it is ignored and left in place";

    /// <summary>Four blocked dry runs in the last hours (a blocked streak), then a line cut short by a crash.</summary>
    private void FourBlocksThenATornLine()
    {
        var log = new StateStore(new WorkspacePaths(_workspace.Root)).AuditLog;
        for (var hours = 4; hours >= 1; hours--)
        {
            log.Append(new AuditRecord { Timestamp = CliHarness.Now.AddHours(-hours), Event = AuditEvents.ResponseBlocked, Policy = "RED", Mode = "dry-run", BlockedBy = ["trust_guard"] });
        }

        File.AppendAllText(log.Path, "{\"timestamp\":\"2026-11-24T04:59:00Z\",\"event\":\"respo");
    }

    [Fact]
    public async Task Alerts_warn_of_a_torn_last_line_in_the_audit_log_and_count_the_records_before_it()
    {
        FourBlocksThenATornLine();

        var text = await Run("alerts");
        var json = await Run("alerts", "--json");

        Assert.Contains($"warning: {_workspace.PathOf("state/policy_response_log.jsonl")}: line 1 from the end {IncompleteRecord}", text.Stderr, StringComparison.Ordinal);
        Assert.Contains("blocked_streak fired", text.Stdout, StringComparison.Ordinal);
        Assert.Contains(IncompleteRecord, json.Stderr, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(json.Stdout);
        Assert.Contains(report.RootElement.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("id").GetString() == "blocked_streak" && a.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Status_warns_of_a_torn_last_line_in_the_audit_log()
    {
        FourBlocksThenATornLine();

        var result = await Run("status", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(IncompleteRecord, result.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
    }

    [Fact]
    public async Task Alerts_warn_of_a_torn_last_line_in_the_history_and_append_after_it_on_a_line_of_its_own()
    {
        const string earlier = "{\"timestamp\":\"2026-11-23T05:00:00Z\",\"alert\":\"red_flips\",\"event\":\"resolved\",\"severity\":\"high\"}\n";
        const string torn = "{\"timestamp\":\"2026-11-24T04:00:00Z\",\"ale";
        _workspace.Write("logs/policy_orchestration_alerts.jsonl", earlier + torn);
        await Run("brake", "engage", "--reason", "drill");

        var result = await CliHarness.RunAsync(_workspace, null, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CliHarness.Now.AddHours(5)), null, "alerts");

        Assert.Contains($"warning: logs/policy_orchestration_alerts.jsonl: line 1 from the end {IncompleteRecord}", result.Stderr, StringComparison.Ordinal);
        var lines = _workspace.Read("logs/policy_orchestration_alerts.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([earlier.TrimEnd('\n'), torn], lines[..2]);
        Assert.Contains("\"alert\":\"brake_engaged\",\"event\":\"fired\"", Assert.Single(lines[2..]), StringComparison.Ordinal);
    }
}
