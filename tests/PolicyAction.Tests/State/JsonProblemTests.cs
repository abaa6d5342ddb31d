using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

/// <summary>
/// A state file that does not parse is explained in the file's words: the file, the line and column, the field, what
/// belongs there and what is there; never a .NET type name or a reader option.
/// </summary>
public class JsonProblemTests
{
    private const string Brake = "forensics/safety_brake_state.json";
    private const string Trust = "state/trust_lock_state.json";
    private const string Policy = "state/policy_state.json";

    /// <summary>Words System.Text.Json uses that mean nothing to whoever edits the file.</summary>
    private static readonly string[] Internals = ["PolicyAction.", "System.", "reader options", "JsonReaderOptions", "LineNumber", "BytePositionInLine", "Path: $", "could not be converted"];

    /// <summary>
    /// File, content, where the problem starts (the first occurrence of this text; "" = end of file, "^" = start) and
    /// what the message says after "line L, column C: ".
    /// </summary>
    public static TheoryData<string, string, string, string> MalformedFiles => new()
    {
        // A value of the wrong kind, per kind of field.
        { Brake, "{\"is_engaged\":\"yes\"}", "\"yes\"", "field is_engaged: expected true or false, found the string \"yes\"" },
        { Brake, "{\"is_engaged\": null}", "null", "field is_engaged: expected true or false, found null" },
        { Brake, "{\"is_engaged\": 1}", "1}", "field is_engaged: expected true or false, found the number 1" },
        { Brake, "{\"is_engaged\": true, \"reason\": 42}", "42", "field reason: expected a string, found the number 42" },
        { Brake, "{\"is_engaged\": true, \"engaged_at\": \"yesterday\"}", "\"yesterday\"", "field engaged_at: expected a timestamp in ISO 8601, such as \"2026-01-31T12:00:00Z\", found the string \"yesterday\"" },
        { Brake, "{\"is_engaged\": true, \"reason\": \"\\uD800\"}", "\"\\uD800\"", "field reason: expected a string, found a string holding half of a UTF-16 surrogate pair (\"\\uD800\"), which is not text" },
        { Trust, "{\n  \"locked\": true,\n  \"locked_at\": 17\n}", "17", "field locked_at: expected a timestamp in ISO 8601, such as \"2026-01-31T12:00:00Z\", found the number 17" },
        { Trust, "{\"locked\": false, \"unlocks\": {}}", "{}", "field unlocks: expected an array ([ ... ]), found an object" },
        { Trust, "{\"locked\": false, \"unlocks\": [{\"unlocked_at\": \"2026-11-24T01:00:00Z\", \"forced\": \"no\"}]}", "\"no\"", "field unlocks[0].forced: expected true or false, found the string \"no\"" },
        { Policy, "{\"level\": 3}", "3}", "field level: expected a string, found the number 3" },
        { Policy, "{\"level\": \"RED\", \"evaluation\": {\"signals\": {\"ci\": {\"state\": \"RED\", \"since\": \"2026-11-24T00:00:00Z\", \"red_count\": \"many\"}}}}", "\"many\"", "field evaluation.signals.ci.red_count: expected a whole number, found the string \"many\"" },
        { Policy, "{\"level\": \"RED\", \"evaluation\": {\"calm\": {\"level\": \"GREEN\", \"since\": \"2026-11-24T00:00:00Z\", \"evaluations\": 99999999999}}}", "99999999999", "field evaluation.calm.evaluations: expected a whole number, found the number 99999999999" },
        { Brake, "[]", "^", "expected an object ({ ... }), found an array" },
        { Brake, "\"engaged\"", "^", "expected an object ({ ... }), found the string \"engaged\"" },

        // A field that must be there.
        { Brake, "{\"engaged_by\": \"octocat\"}", "^", "field is_engaged: is missing; expected true or false" },
        { Trust, "{\n  \"lock_id\": \"L1\"\n}", "^", "field locked: is missing; expected true or false" },
        { Policy, "{\"level\": \"RED\", \"reasons\": [{\"signal\": \"ci\"}]}", "{\"signal\"", "field reasons[0].value: is missing; expected a string" },

        // Not JSON.
        { Brake, "{\"is_engaged\": true,}", ",}", "a comma before the closing '}'; remove it (JSON allows no trailing comma)" },
        { Trust, "{\"locked\": false, \"unlocks\": [\n  {\"unlocked_at\": \"2026-11-24T01:00:00Z\"},\n]}", ",\n]", "a comma before the closing ']'; remove it (JSON allows no trailing comma)" },
        { Brake, "{\"is_engaged\": tru", "", "the JSON ends before it is complete (the file may have been cut short)" },
        { Brake, "{\"is_engaged\": true, \"reason\": \"dri", "", "the JSON ends before it is complete (the file may have been cut short)" },
        { Brake, "{\"is_engaged\": true /* drill */}", "/*", "found a comment ('/* drill */}'); JSON allows no comments, remove it" },
        { Trust, "{\n  // locked by hand\n  \"locked\": true\n}", "//", "found a comment ('// locked by hand'); JSON allows no comments, remove it" },
        { Trust, "{\"locked\": false}\n{\"locked\": true}", "{\"locked\": true}", "expected nothing more (the file holds one JSON value), found '{\"locked\": true}'" },
        { Trust, "{\"locked\": false \"reason\": \"x\"}", "\"reason\"", "expected ',' or '}', found '\"reason\": \"x\"}'" },
        { Trust, "{'locked': false}", "'locked'", "expected a field name in double quotes, or '}', found ''locked': false}'" },
        { Trust, "{\"locked\" false}", "false", "expected ':' after the field name, found 'false}'" },
        { Brake, "{\"is_engaged\": yes}", "yes", "expected a value (a string in double quotes, a number, true, false, null, an object or an array), found 'yes}'" },

        // The same field twice: which one counts is not for the tool to guess.
        { Brake, "{\"is_engaged\": true, \"is_engaged\": false}", "\"is_engaged\": false", "field is_engaged: appears twice in the same object; keep one" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void A_malformed_state_file_is_explained_in_the_files_words(string file, string content, string at, string what)
    {
        using var workspace = new TempWorkspace();
        workspace.Write(file, content);
        var before = workspace.ReadBytes(file);
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        var error = Assert.Throws<StateFileException>(() => Read(store, file));

        var (line, column) = Where(content, at);
        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
        Assert.Equal($"{workspace.PathOf(file)}: is not valid: line {line}, column {column}: {what}. Fix it there, or restore the file from git; nothing was changed", error.Message);
        AssertPlain(error.Message);
        Assert.Equal(before, workspace.ReadBytes(file));
    }

    [Fact]
    public void Nesting_too_deep_is_named_as_such()
    {
        using var workspace = new TempWorkspace();
        workspace.Write(Trust, "{\"locked\": false, \"x\": " + new string('[', 100) + new string(']', 100) + "}");
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        var error = Assert.Throws<StateFileException>(() => store.ReadTrust());

        Assert.Matches(@": is not valid: line 1, column \d+: objects and arrays nested deeper than 64 levels; no file the tool reads is that deep\. ", error.Message);
    }

    /// <summary>The event payload is read with the reader's default options, whose MaxDepth of 0 means 64: a syntax error is named as one.</summary>
    [Theory]
    [InlineData("{\"workflow_run\": {\"id\": \"x\",}}", "line 1, column 28: a comma before the clo")]
    [InlineData("{\"workflow_run\": {\"id\": 1}", "line 1, column 27: the JSON ends before")]
    public void With_default_reader_options_a_syntax_error_is_not_called_nesting(string json, string at)
    {
        var problem = JsonProblem.ExplainSyntax(Encoding.UTF8.GetBytes(json), default);

        Assert.NotNull(problem);
        var text = problem.ToString();
        Assert.DoesNotContain("nested deeper", text, StringComparison.Ordinal);
        Assert.Contains(at, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_is_named_as_such()
    {
        var problem = JsonProblem.ExplainSyntax([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"is_engaged\": true}")], default);

        Assert.Equal("line 1, column 1: the file starts with a byte order mark (BOM), which JSON does not allow; save it as UTF-8 without BOM", problem?.ToString());
    }

    [Fact]
    public void Invalid_utf8_names_the_line_column_and_byte()
    {
        using var workspace = new TempWorkspace();
        workspace.WriteBytes(Brake, [.. "{\"is_engaged\": false,\n \"reason\": \""u8, 0xFF, .. "\"}"u8]);
        var store = new StateStore(new WorkspacePaths(workspace.Root));

        var error = Assert.Throws<StateFileException>(() => store.ReadBrake());

        Assert.Equal($"{workspace.PathOf(Brake)}: is not valid UTF-8 text (line 2, column 13: byte 0xFF); restore it from git", error.Message);
    }

    [Fact]
    public void A_damaged_audit_record_names_its_line_column_and_field()
    {
        using var workspace = new TempWorkspace();
        var store = new StateStore(new WorkspacePaths(workspace.Root));
        foreach (var hour in new[] { 1, 2, 3 })
        {
            store.AuditLog.Append(new AuditRecord { Timestamp = CliHarness.Now.AddHours(-hour), Event = AuditEvents.BrakeEngaged });
        }

        var lines = workspace.AuditLines();
        lines[1] = System.Text.RegularExpressions.Regex.Replace(lines[1], "\"timestamp\":\"[^\"]*\"", "\"timestamp\":\"yesterday\"");
        workspace.Write("state/policy_response_log.jsonl", string.Join('\n', lines) + "\n");

        var error = Assert.Throws<StateFileException>(() => store.AuditLog.Read());

        const string Expected = "line 2 is not a valid audit record (column 14: field timestamp: expected a timestamp in ISO 8601, such as \"2026-01-31T12:00:00Z\", found the string \"yesterday\"); the log may have been edited or damaged";
        Assert.True(error.Message.Contains(Expected, StringComparison.Ordinal), error.Message);
        AssertPlain(error.Message);
    }

    [Theory]
    [InlineData("brake", "status")]
    [InlineData("brake", "engage")]
    [InlineData("gates", null)]
    [InlineData("status", null)]
    public async Task The_cli_fails_closed_with_the_explanation_and_writes_nothing(string command, string? subcommand)
    {
        using var workspace = new TempWorkspace();
        workspace.WithConfig(TempWorkspace.MinimalConfig).Write(Brake, "{\"is_engaged\":\"yes\"}");
        var before = Snapshot(workspace);
        string[] args = subcommand is null ? [command] : subcommand == "engage" ? [command, subcommand, "--reason", "drill"] : [command, subcommand];

        var result = await CliHarness.RunAsync(workspace, args);

        Assert.Equal(ExitCodes.UsageOrStateError, result.ExitCode);
        Assert.Contains("safety_brake_state.json: is not valid: line 1, column 15: field is_engaged: expected true or false, found the string \"yes\". Fix it there, or restore the file from git; nothing was changed", result.Stderr, StringComparison.Ordinal);
        AssertPlain(result.Stderr);
        Assert.Equal(before, Snapshot(workspace));
    }

    [Fact]
    public void The_position_counts_characters_not_bytes()
    {
        var json = Encoding.UTF8.GetBytes("{\"reason\": \"für\", \"x\": 1}");

        Assert.Equal((1L, 19L), JsonProblem.Position(json, Encoding.UTF8.GetByteCount("{\"reason\": \"für\", ")));
    }

    private static object Read(StateStore store, string file) => file switch
    {
        Brake => store.ReadBrake(),
        Trust => store.ReadTrust(),
        _ => store.ReadPolicyState()!,
    };

    private static (int Line, int Column) Where(string content, string at)
    {
        var offset = at switch
        {
            "" => content.Length,
            "^" => 0,
            _ => content.IndexOf(at, StringComparison.Ordinal),
        };
        Assert.True(offset >= 0, $"'{at}' is not in the content");
        var before = content[..offset];
        return (before.Count(c => c == '\n') + 1, offset - (before.LastIndexOf('\n') + 1) + 1);
    }

    private static void AssertPlain(string message)
    {
        foreach (var word in Internals)
        {
            Assert.DoesNotContain(word, message, StringComparison.Ordinal);
        }
    }

    /// <summary>Every file and its bytes, but the workspace lock's empty file (taken before the state is read).</summary>
    private static Dictionary<string, string> Snapshot(TempWorkspace workspace) =>
        Directory.EnumerateFiles(workspace.Root, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != ".policy-response.lock")
            .ToDictionary(path => Path.GetRelativePath(workspace.Root, path), path => Convert.ToBase64String(File.ReadAllBytes(path)));
}
