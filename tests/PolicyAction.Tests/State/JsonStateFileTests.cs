using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

public class JsonStateFileTests
{
    [Fact]
    public void A_missing_file_is_its_default()
    {
        using var workspace = new TempWorkspace();
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        Assert.False(store.ReadTrust().Locked);
        Assert.False(store.ReadBrake().IsEngaged);
        Assert.Null(store.ReadPolicyState());
        Assert.Empty(store.AuditLog.Read().Records);
    }

    public static TheoryData<string, string> CorruptTrustFiles => new()
    {
        { "{\"locked\": tru", "line 1" },
        { "", "empty" },
        { "   \n", "empty" },
        { "null", "null" },
        { "[]", "not valid" },
        { "{\"locked\": \"no\"}", "field locked" },
        { "{\"lock_id\": \"x\"}", "locked" },
        { "{\"locked\": false, \"locked_at\": \"yesterday\"}", "field locked_at" },
        { "{\"locked\": false}\n{\"locked\": true}", "not valid" },
        { "{\"locked\": false, /* c */ \"reason\": \"x\"}", "not valid" },
        { "{\"locked\": false,}", "not valid" },
    };

    [Theory]
    [MemberData(nameof(CorruptTrustFiles))]
    public void A_corrupt_file_fails_closed_naming_the_file_and_stays_untouched(string content, string words)
    {
        using var workspace = new TempWorkspace();
        workspace.Write("state/trust_lock_state.json", content);
        var before = workspace.ReadBytes("state/trust_lock_state.json");
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        var error = Assert.Throws<StateFileException>(() => store.ReadTrust());

        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
        Assert.Equal(workspace.PathOf("state/trust_lock_state.json"), error.FilePath);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, workspace.ReadBytes("state/trust_lock_state.json"));
    }

    [Fact]
    public void Invalid_utf8_fails_closed()
    {
        using var workspace = new TempWorkspace();
        workspace.WriteBytes("forensics/safety_brake_state.json", [.. "{\"is_engaged\": false, \"reason\": \""u8, 0xFF, 0xFE, .. "\"}"u8]);
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        var error = Assert.Throws<StateFileException>(() => store.ReadBrake());

        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_where_the_file_should_be_fails_closed()
    {
        using var workspace = new TempWorkspace();
        Directory.CreateDirectory(workspace.PathOf("forensics/safety_brake_state.json"));
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        Assert.Throws<StateFileException>(() => store.ReadBrake());
    }

    [Fact]
    public void Fields_written_by_other_tools_survive_a_rewrite()
    {
        using var workspace = new TempWorkspace();
        workspace.Write("state/trust_lock_state.json", "{\"locked\": false, \"guard_version\": \"3.1\", \"notes\": {\"a\": [1, 2]}}");
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        store.WriteTrust(store.ReadTrust() with { Locked = true, LockId = "L1" });

        var text = workspace.Read("state/trust_lock_state.json");
        Assert.Contains("\"guard_version\": \"3.1\"", text, StringComparison.Ordinal);
        Assert.Contains("\"locked\": true", text, StringComparison.Ordinal);
        Assert.Equal("3.1", store.ReadTrust().Extra!["guard_version"].GetString());
    }

    [Fact]
    public void Writes_snake_case_json_ending_in_a_newline_and_leaves_no_temp_files()
    {
        using var workspace = new TempWorkspace();
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        store.WriteBrake(new SafetyBrakeState { IsEngaged = true, Reason = "drill", EngagedAt = CliHarness.Now });

        var text = Encoding.UTF8.GetString(workspace.ReadBytes("forensics/safety_brake_state.json"));
        Assert.Contains("\"is_engaged\": true", text, StringComparison.Ordinal);
        Assert.Contains("\"engaged_at\": \"2026-11-24T05:00:00+00:00\"", text, StringComparison.Ordinal);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Equal(["safety_brake_state.json"], Directory.GetFiles(workspace.PathOf("forensics")).Select(Path.GetFileName));
    }
}
