using System.Text.Json;
using PolicyAction.Alerts;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

/// <summary>JSON the tool writes for people keeps &lt;, &gt; and &amp; as they are (grep finds "> 2"), and is still JSON.</summary>
public class ReadableJsonTests
{
    private const string Text = "level > 2 & <rollback>";

    [Fact]
    public async Task A_state_file_keeps_the_reason_as_typed_and_reads_back()
    {
        using var workspace = new TempWorkspace();

        await CliHarness.RunAsync(workspace, "brake", "engage", "--reason", Text);

        Assert.Contains($"\"reason\": \"{Text}\"", workspace.Read("forensics/safety_brake_state.json"), StringComparison.Ordinal);
        Assert.Equal(Text, new StateStore(new WorkspacePaths(workspace.Root)).ReadBrake().Reason);
    }

    [Fact]
    public async Task The_preview_keeps_the_commands_as_configured_and_parses()
    {
        using var workspace = new TempWorkspace();
        workspace.WithConfig("""
            version: 1
            levels:
              RED:
                - id: page
                  run: ["/bin/echo", "level > 2 & <rollback>"]
            """);

        var result = await CliHarness.RunAsync(workspace, "respond", "--policy", "RED");

        Assert.Equal(0, result.ExitCode);
        var preview = workspace.Read("state/policy_response_preview.json");
        Assert.Contains($"\"{Text}\"", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003E", preview, StringComparison.Ordinal);
        Assert.Contains(Text, JsonDocument.Parse(preview).RootElement.GetProperty("results")[0].GetProperty("command").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Json_on_stdout_keeps_them_too()
    {
        using var workspace = new TempWorkspace();
        workspace.WithConfig(TempWorkspace.MinimalConfig);
        await CliHarness.RunAsync(workspace, "trust", "lock", "--reason", Text);

        var result = await CliHarness.RunAsync(workspace, "gates", "--json");

        Assert.Contains($": {Text} (lock id ", result.Stdout, StringComparison.Ordinal);
        _ = JsonDocument.Parse(result.Stdout);
    }

    [Fact]
    public void An_alert_history_line_keeps_them_and_parses()
    {
        var record = new AlertHistoryRecord { Timestamp = CliHarness.Now, Alert = "blocked_streak", Event = "firing", Severity = "high", Threshold = "> 2", Detail = "3 blocks & counting" };

        var line = System.Text.Encoding.UTF8.GetString(IssueClaim.Line(record));

        Assert.Contains("\"threshold\":\"> 2\"", line, StringComparison.Ordinal);
        Assert.Contains("\"detail\":\"3 blocks & counting\"", line, StringComparison.Ordinal);
        Assert.Equal("> 2", JsonSerializer.Deserialize(line, AlertHistoryJsonContext.Default.AlertHistoryRecord)!.Threshold);
    }

    [Fact]
    public async Task The_audit_log_keeps_its_bytes_as_before()
    {
        // Its lines are hashed into the chain and checkpoints name those hashes: its encoding is a contract, left alone.
        using var workspace = new TempWorkspace();

        await CliHarness.RunAsync(workspace, "brake", "engage", "--reason", Text);

        var line = Assert.Single(workspace.AuditLines());
        Assert.Contains("level \\u003E 2 \\u0026 \\u003Crollback\\u003E", line, StringComparison.Ordinal);
    }
}
