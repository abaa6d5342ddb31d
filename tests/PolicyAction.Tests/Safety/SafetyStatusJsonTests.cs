using System.Text.Json;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Safety;

/// <summary><c>trust status --json</c> and <c>brake status --json</c>: the state file's fields under their names, and what the gate says.</summary>
public class SafetyStatusJsonTests
{
    [Fact]
    public async Task Trust_status_json_of_an_unlocked_guard_says_the_gate_passes()
    {
        using var workspace = new TempWorkspace();

        var result = await CliHarness.RunAsync(workspace, "trust", "status", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(["locked", "manual_unlocks_last24h", "recent_unlocks", "gate"], Names(root));
        Assert.False(root.GetProperty("locked").GetBoolean());
        Assert.Equal(0, root.GetProperty("recent_unlocks").GetArrayLength());
        Assert.Equal("""{"name":"trust_guard","passed":true,"observed":"unlocked","limit":"unlocked","detail":"trust guard is unlocked"}""", Compact(root.GetProperty("gate")));
    }

    [Fact]
    public async Task Trust_status_json_of_a_lock_names_it_and_what_blocks()
    {
        using var workspace = new TempWorkspace();
        await CliHarness.RunAsync(workspace, "trust", "lock", "--reason", "deploy > 2 & <rollback>");
        var file = JsonDocument.Parse(workspace.Read("state/trust_lock_state.json")).RootElement;
        var (lockId, actor) = (file.GetProperty("lock_id").GetString(), file.GetProperty("locked_by").GetString());

        var result = await CliHarness.RunAsync(workspace, "trust", "status", "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(["locked", "lock_id", "locked_at", "locked_by", "reason", "manual_unlocks_last24h", "recent_unlocks", "gate"], Names(root));
        Assert.True(root.GetProperty("locked").GetBoolean());
        Assert.Equal(lockId, root.GetProperty("lock_id").GetString());
        Assert.Equal("2026-11-24T05:00:00+00:00", root.GetProperty("locked_at").GetString());
        Assert.Equal(actor, root.GetProperty("locked_by").GetString());
        Assert.Contains("\"reason\": \"deploy > 2 & <rollback>\"", result.Stdout, StringComparison.Ordinal);
        var gate = root.GetProperty("gate");
        Assert.False(gate.GetProperty("passed").GetBoolean());
        Assert.Equal("locked", gate.GetProperty("observed").GetString());
        Assert.Equal($"locked by {actor} at 2026-11-24T05:00:00Z: deploy > 2 & <rollback> (lock id {lockId})", gate.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Trust_status_json_counts_and_lists_the_unlocks()
    {
        using var workspace = new TempWorkspace();
        await CliHarness.RunAsync(workspace, "trust", "lock", "--reason", "drill");
        await CliHarness.RunAsync(workspace, "trust", "unlock", "--reason", "drill over");

        var result = await CliHarness.RunAsync(workspace, "trust", "status", "--json");

        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(1, root.GetProperty("manual_unlocks_last24h").GetInt32());
        var unlock = Assert.Single(root.GetProperty("recent_unlocks").EnumerateArray());
        Assert.Equal(["lock_id", "reason", "unlocked_at", "unlocked_by", "forced"], Names(unlock));
        Assert.Equal("drill over", unlock.GetProperty("reason").GetString());
        Assert.True(root.GetProperty("gate").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Brake_status_json_of_an_engaged_brake_names_who_when_why_and_what_blocks()
    {
        using var workspace = new TempWorkspace();
        await CliHarness.RunAsync(workspace, "brake", "engage", "--reason", "incident > sev2");
        var actor = JsonDocument.Parse(workspace.Read("forensics/safety_brake_state.json")).RootElement.GetProperty("engaged_by").GetString();

        var result = await CliHarness.RunAsync(workspace, "brake", "status", "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(["is_engaged", "engaged_at", "engaged_by", "reason", "gate"], Names(root));
        Assert.True(root.GetProperty("is_engaged").GetBoolean());
        Assert.Equal("2026-11-24T05:00:00+00:00", root.GetProperty("engaged_at").GetString());
        Assert.Equal(actor, root.GetProperty("engaged_by").GetString());
        Assert.Equal("incident > sev2", root.GetProperty("reason").GetString());
        Assert.Equal($$"""{"name":"safety_brake","passed":false,"observed":"engaged","limit":"off","detail":"engaged for 0 min by {{actor}}: incident > sev2"}""", Compact(root.GetProperty("gate")));
    }

    [Fact]
    public async Task Brake_status_json_of_a_released_brake_keeps_the_release()
    {
        using var workspace = new TempWorkspace();
        await CliHarness.RunAsync(workspace, "brake", "engage", "--reason", "drill");
        await CliHarness.RunAsync(workspace, "brake", "release", "--reason", "drill over");

        var result = await CliHarness.RunAsync(workspace, "brake", "status", "--json");

        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(["is_engaged", "engaged_at", "engaged_by", "reason", "released_at", "released_by", "release_reason", "gate"], Names(root));
        Assert.False(root.GetProperty("is_engaged").GetBoolean());
        Assert.Equal("drill over", root.GetProperty("release_reason").GetString());
        Assert.True(root.GetProperty("gate").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Brake_status_json_fails_closed_on_an_unreadable_brake()
    {
        using var workspace = new TempWorkspace();
        workspace.Write("forensics/safety_brake_state.json", "{\"is_engaged\": true,}");

        var result = await CliHarness.RunAsync(workspace, "brake", "status", "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("a comma before the closing '}'", result.Stderr, StringComparison.Ordinal);
    }

    private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    private static readonly JsonSerializerOptions OneLine = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element, OneLine);
}
