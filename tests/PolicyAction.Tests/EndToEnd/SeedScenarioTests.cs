using System.Text.Json;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>
/// The seed's eight validations and the issue's extra ones, run as an operator would: the built
/// <c>policy-response</c> as a real process on a copy of the bundled example workspace.
/// </summary>
public sealed class SeedScenarioTests : IDisposable
{
    private readonly TempWorkspace _workspace = ExampleWorkspace.Copy();

    public void Dispose() => _workspace.Dispose();

    private Task<CliResult> Run(params string[] args) => ProcessCli.RunAsync(_workspace, args);

    private JsonElement ReadJson(string relative)
    {
        using var document = JsonDocument.Parse(_workspace.Read(relative));
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Dry_run_preview_generation()
    {
        var result = await Run("respond", "--policy", "RED");

        Assert.Equal(0, result.ExitCode);
        var preview = ReadJson("state/policy_response_preview.json");
        Assert.Equal("dry-run", preview.GetProperty("mode").GetString());
        Assert.Equal(3, preview.GetProperty("actions_planned").GetInt32());
        Assert.Equal(
            ["full_integrity_check", "cold_storage_verification", "integrity_anchor_mirror"],
            preview.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("action").GetString()));
        Assert.All(preview.GetProperty("results").EnumerateArray(), r => Assert.StartsWith("[DRY-RUN] Would execute", r.GetProperty("stdout").GetString(), StringComparison.Ordinal));
        Assert.Contains("GATE", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(preview.GetProperty("plan_digest").GetString()!, result.Stdout, StringComparison.Ordinal);
        Assert.Empty(_workspace.ResponseLines());
        Assert.Equal("{\"chain\": [{\"seq\": 1, \"hash\": \"4f2a9c\"}]}\n", _workspace.Read("mirrors/anchor_chain.json"));
    }

    [Fact]
    public async Task Trust_lock_blocking()
    {
        Assert.Equal(0, (await Run("trust", "lock", "--reason", "incident 7")).ExitCode);

        var result = await Run("respond", "--policy", "RED", "--apply");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("trust_guard", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(["trust_guard"], ReadJson("reports/policy_response_blocked.json").GetProperty("blocked_by").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(_workspace.ResponseLines(), l => l.Contains("response_started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Safety_brake_blocking()
    {
        Assert.Equal(0, (await Run("brake", "engage", "--reason", "suspicious")).ExitCode);

        var blocked = await Run("respond", "--policy", "YELLOW", "--apply");
        Assert.Equal(3, blocked.ExitCode);
        Assert.Equal(3, (await Run("gates")).ExitCode);

        Assert.Equal(0, (await Run("brake", "release", "--reason", "checked")).ExitCode);
        Assert.Equal(0, (await Run("gates")).ExitCode);
    }

    [Fact]
    public async Task Rate_limit_blocking()
    {
        var now = DateTimeOffset.UtcNow;
        var log = new AuditLog(_workspace.PathOf("state/policy_response_log.jsonl"));
        foreach (var hoursAgo in Enumerable.Range(1, 10).Reverse())
        {
            var id = Guid.NewGuid();
            log.Append(new AuditRecord { Timestamp = now.AddHours(-hoursAgo), Event = AuditEvents.ResponseStarted, Mode = "apply", ResponseId = id });
            log.Append(new AuditRecord { Timestamp = now.AddHours(-hoursAgo).AddMinutes(1), Event = AuditEvents.ResponseFinished, Mode = "apply", ResponseId = id });
        }

        var result = await Run("respond", "--policy", "YELLOW", "--apply");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("rate_limit", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("reached the limit of 10", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_mode_execution()
    {
        var result = await Run("respond", "--policy", "RED", "--apply", "--json");

        Assert.Equal(0, result.ExitCode);
        using var report = JsonDocument.Parse(result.Stdout);
        Assert.Equal("apply", report.RootElement.GetProperty("mode").GetString());
        Assert.True(report.RootElement.GetProperty("safety_gates_passed").GetBoolean());
        Assert.All(report.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        Assert.Equal(_workspace.Read("anchors/anchor_chain.json"), _workspace.Read("mirrors/anchor_chain.json"));
        var events = _workspace.ResponseLines().Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()!).ToArray();
        Assert.Equal(["response_started", "action_finished", "action_finished", "action_finished", "response_finished"], events);
        Assert.Contains("[full_integrity_check] anchors/anchor_chain.json: OK", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undo_file_creation_and_byte_for_byte_restore()
    {
        var before = _workspace.ReadBytes("mirrors/anchor_chain.json");

        var applied = await Run("respond", "--policy", "RED", "--apply");
        Assert.Equal(0, applied.ExitCode);
        var undoFile = Assert.Single(Directory.GetFiles(_workspace.PathOf("state"), "policy_response_undo_*.json"));
        var responseId = Path.GetFileNameWithoutExtension(undoFile)["policy_response_undo_".Length..];
        Assert.NotEqual(before, _workspace.ReadBytes("mirrors/anchor_chain.json"));

        var preview = await Run("undo", responseId);
        Assert.Equal(0, preview.ExitCode);
        Assert.NotEqual(before, _workspace.ReadBytes("mirrors/anchor_chain.json"));

        var undone = await Run("undo", responseId, "--apply");
        Assert.Equal(0, undone.ExitCode);
        Assert.Equal(before, _workspace.ReadBytes("mirrors/anchor_chain.json"));

        var again = await Run("undo", responseId, "--apply");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already undone", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Green_policy_no_op()
    {
        var result = await Run("respond", "--policy", "GREEN", "--apply");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("GREEN", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("nothing was executed", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(_workspace.ResponseLines());
    }

    [Fact]
    public async Task Audit_marker_on_block()
    {
        await Run("brake", "engage", "--reason", "drill");

        var result = await Run("respond", "--policy", "RED");

        Assert.Equal(3, result.ExitCode);
        var marker = ReadJson("reports/policy_response_blocked.json").GetProperty("audit_marker").GetString();
        Assert.Matches(@"^<!-- POLICY_RESPONSE: BLOCKED \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ -->$", marker);
    }

    [Fact]
    public async Task Corrupt_state_fails_closed_and_leaves_the_file_untouched()
    {
        _workspace.Write("forensics/safety_brake_state.json", "{\"is_engaged\": fals");
        var before = _workspace.ReadBytes("forensics/safety_brake_state.json");

        var result = await Run("respond", "--policy", "RED", "--apply");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("forensics/safety_brake_state.json", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _workspace.ReadBytes("forensics/safety_brake_state.json"));
        Assert.Empty(_workspace.ResponseLines());
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_errors_name_the_line()
    {
        _workspace.Write(".github/policy-response.yml", "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      timout_seconds: 5\n");

        var result = await Run("respond", "--policy", "RED");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("policy-response.yml:6:7", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("unknown key 'timout_seconds'", result.Stderr, StringComparison.Ordinal);

        // The known keys come from the document type, in declaration order, under Native AOT too.
        Assert.Contains("expected one of: id, description, run, timeout_seconds, continue_on_error, reversible, undo_instruction", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_config_names_the_expected_path()
    {
        File.Delete(_workspace.ConfigPath);

        var result = await Run("gates");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(_workspace.ConfigPath, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_action_exits_1_and_stops_the_rest()
    {
        _workspace.Write("manifest.sha256", "0000000000000000000000000000000000000000000000000000000000000000  anchors/anchor_chain.json\n");

        var result = await Run("respond", "--policy", "RED", "--apply");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("full_integrity_check exited with code 1", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("{\"chain\": [{\"seq\": 1, \"hash\": \"4f2a9c\"}]}\n", _workspace.Read("mirrors/anchor_chain.json"));
    }

    [Fact]
    public async Task Force_unlock_with_the_lock_id_reopens_the_gate_and_counts_as_a_manual_unlock()
    {
        await ProcessCli.RunAsync(_workspace.Root, new Dictionary<string, string?> { ["GITHUB_ACTOR"] = "alice" }, "trust", "lock", "--reason", "incident", "--workspace", _workspace.Root);
        var lockId = ReadJson("state/trust_lock_state.json").GetProperty("lock_id").GetString()!;

        var result = await Run("trust", "force-unlock", "--lock-id", lockId, "--reason", "manual-override");

        Assert.Equal(0, result.ExitCode);
        var status = await Run("status", "--json");
        using var json = JsonDocument.Parse(status.Stdout);
        Assert.False(json.RootElement.GetProperty("trust_locked").GetBoolean());
        Assert.Equal(1, json.RootElement.GetProperty("manual_unlocks_last24h").GetInt32());
    }
}
