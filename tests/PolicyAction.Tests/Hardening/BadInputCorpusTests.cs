using System.Text;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// Every kind of bad input the tool reads, through the command line: each must stop an applied response with
/// exit 2 and a message naming the file (and the line or field where there is one), never a stack trace,
/// never an action run, and the file left byte for byte as it was.
/// </summary>
public sealed class BadInputCorpusTests : IDisposable
{
    internal const string Config = """
        version: 1
        levels:
          RED:
            - id: mark
              run: ["/usr/bin/touch", "applied.marker"]
              reversible:
                paths: ["mirrors/anchor.json"]
        """;

    private const string UndoId = "0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11";
    private const string UndoFile = $"state/policy_response_undo_{UndoId}.json";

    private readonly TempWorkspace _workspace = new TempWorkspace().WithConfig(Config).Write("mirrors/anchor.json", "anchor\n");

    public void Dispose() => _workspace.Dispose();

    /// <summary>A case: the file, its bad bytes, and a phrase the error must contain besides the file's name.</summary>
    public sealed record BadInput(string Name, string File, byte[] Bytes, string Expect)
    {
        public override string ToString() => Name;
    }

    private static BadInput Text(string name, string file, string content, string expect) => new(name, file, Encoding.UTF8.GetBytes(content), expect);

    private static string Undo(string files) =>
        $$"""{"response_id":"{{UndoId}}","policy":"RED","created_at":"2026-11-24T05:00:00+00:00","status":"complete","actions":[{"action":"mark","files":[{{files}}]}]}""";

    private static string UndoEntry(string path) =>
        $$"""{"path":"{{path}}","existed":true,"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","content_base64":"YWJj"}""";

    private const string Trust = "state/trust_lock_state.json";
    private const string Brake = "forensics/safety_brake_state.json";
    private const string Level = "state/policy_state.json";
    private const string Log = "state/policy_response_log.jsonl";
    private const string Yaml = ".github/policy-response.yml";

    public static IEnumerable<object[]> Corpus()
    {
        BadInput[] cases =
        [
            // State files: corrupt, truncated, empty, wrong type, huge, hostile.
            Text("trust: truncated", Trust, "{\"locked\": tr", "line 1"),
            Text("trust: empty", Trust, "", "empty"),
            Text("trust: whitespace", Trust, " \n\t\n", "empty"),
            Text("trust: null", Trust, "null", "null"),
            Text("trust: an array", Trust, "[]", "not valid"),
            Text("trust: a string", Trust, "\"locked\"", "not valid"),
            Text("trust: locked as a string", Trust, "{\"locked\": \"no\"}", "field locked"),
            Text("trust: locked as a number", Trust, "{\"locked\": 0}", "field locked"),
            Text("trust: locked missing", Trust, "{\"reason\": \"x\"}", "locked"),
            Text("trust: unlocks not a list", Trust, "{\"locked\": false, \"unlocks\": {}}", "field unlocks"),
            Text("trust: unlock time not a time", Trust, "{\"locked\": false, \"unlocks\": [{\"unlocked_at\": \"Tuesday\"}]}", "field unlocks"),
            Text("trust: two documents", Trust, "{\"locked\": false}\n{\"locked\": true}", "line 2"),
            Text("trust: a comment", Trust, "{\"locked\": false /* unlocked */}", "not valid"),
            Text("trust: trailing comma", Trust, "{\"locked\": false,}", "not valid"),
            Text("trust: nested 10,000 deep", Trust, "{\"locked\": false, \"x\": " + new string('[', 10_000) + new string(']', 10_000) + "}", "nested deeper than 64 levels"),
            new("trust: invalid UTF-8", Trust, [.. "{\"locked\": false, \"reason\": \""u8, 0xC3, 0x28, .. "\"}"u8], "UTF-8"),
            new("trust: NUL bytes", Trust, [0, 0, 0, 0], "not valid"),
            new("trust: UTF-16 with a BOM", Trust, [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("{\"locked\": false}")], "not valid"),
            new("trust: 17 MiB", Trust, [.. "{\"locked\": false, \"reason\": \""u8, .. Enumerable.Repeat((byte)'a', 17 * 1024 * 1024), .. "\"}"u8], "byte limit"),
            Text("brake: is_engaged as yes", Brake, "{\"is_engaged\": \"yes\"}", "field is_engaged"),
            Text("brake: is_engaged null", Brake, "{\"is_engaged\": null}", "field is_engaged"),
            Text("brake: engaged_at not a time", Brake, "{\"is_engaged\": true, \"engaged_at\": \"soon\"}", "field engaged_at"),
            Text("brake: truncated", Brake, "{\"is_engaged\": fal", "line 1"),
            Text("brake: a number", Brake, "42", "not valid"),
            new("brake: binary", Brake, [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0], "not valid"),
            Text("level: unknown level", Level, "{\"level\": \"PURPLE\"}", "PURPLE"),
            Text("level: a number", Level, "{\"level\": 3}", "field level"),
            Text("level: missing", Level, "{\"updated_at\": \"2026-11-24T05:00:00Z\"}", "level"),
            Text("level: shell in the level", Level, "{\"level\": \"RED$(id)\"}", "is not GREEN, YELLOW or RED"),
            Text("level: empty", Level, "", "empty"),

            // The audit log, within the window the gates read.
            Text("log: garbage last line", Log, "not json\n", "line 1 from the end"),
            Text("log: record without its event", Log, "{\"timestamp\":\"2026-11-24T04:00:00+00:00\"}\n", "line 1 from the end"),
            Text("log: timestamp not a time", Log, "{\"timestamp\":\"yesterday\",\"event\":\"brake_engaged\"}\n", "line 1 from the end"),
            Text("log: null record", Log, "null\n", "line 1 from the end"),

            // The configuration: line numbers for what YAML can point at.
            Text("config: empty", Yaml, "", "empty"),
            Text("config: tabs", Yaml, "version: 1\nlevels:\n\tRED: []\n", ":3:"),
            Text("config: unknown version", Yaml, "version: 2\nlevels: {}\n", "version"),
            Text("config: negative limit", Yaml, "version: 1\ngates:\n  max_responses_per_24h: -1\nlevels: {}\n", ":3:"),
            Text("config: limit as words", Yaml, "version: 1\ngates:\n  max_responses_per_24h: ten\nlevels: {}\n", ":3:"),
            Text("config: unknown key", Yaml, "version: 1\nlevles: {}\n", ":2:"),
            Text("config: duplicate key", Yaml, "version: 1\nversion: 1\nlevels: {}\n", ":2:"),
            Text("config: run as a shell line", Yaml, "version: 1\nlevels:\n  RED:\n    - id: x\n      run: \"rm -rf /\"\n", ":5:"),
            Text("config: empty argv", Yaml, "version: 1\nlevels:\n  RED:\n    - id: x\n      run: []\n", ":5:"),
            Text("config: zero timeout", Yaml, "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      timeout_seconds: 0\n", ":6:"),
            Text("config: path escaping the workspace", Yaml, "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"../outside\"]\n", ":7:"),
            Text("config: absolute path", Yaml, "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"/etc/passwd\"]\n", ":7:"),
            Text("config: the .git folder", Yaml, "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\".git/config\"]\n", ":7:"),
            Text("config: billion laughs", Yaml, "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nlevels: {}\n", "policy-response.yml"),
            Text("config: a program that does not exist", Yaml, "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"no-such-program-anywhere\"]\n", "no-such-program-anywhere"),
            new("config: invalid UTF-8", Yaml, [.. "version: 1\nlevels:\n  RED:\n    - id: \""u8, 0xFF, .. "\"\n"u8], ":4:12: is not valid UTF-8"),
            Text("config: 2 MiB", Yaml, "version: 1\n# " + new string('x', 2 * 1024 * 1024) + "\nlevels: {}\n", "limit"),
        ];
        return cases.Select(c => new object[] { c });
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task An_applied_response_fails_closed_on_each_bad_input(BadInput input)
    {
        _workspace.WriteBytes(input.File, input.Bytes);
        var before = _workspace.ReadBytes(input.File);
        string[] args = input.File == Level ? ["respond", "--apply"] : ["respond", "--policy", "RED", "--apply"];

        var result = await CliHarness.RunAsync(_workspace, args);

        AssertFailedClosed(result, input, before);
    }

    public static IEnumerable<object[]> UndoCorpus()
    {
        BadInput[] cases =
        [
            Text("undo: truncated", UndoFile, Undo(UndoEntry("mirrors/anchor.json"))[..40], "line 1"),
            Text("undo: path escaping the workspace", UndoFile, Undo(UndoEntry("../../etc/passwd")), "../../etc/passwd"),
            Text("undo: absolute path", UndoFile, Undo(UndoEntry("/etc/passwd")), "/etc/passwd"),
            Text("undo: into .git", UndoFile, Undo(UndoEntry(".git/config")), ".git/config"),
            Text("undo: content that does not match its checksum", UndoFile, Undo(UndoEntry("mirrors/anchor.json")).Replace("YWJj", "YWJk", StringComparison.Ordinal), "does not match its sha256"),
            Text("undo: content not base64", UndoFile, Undo(UndoEntry("mirrors/anchor.json")).Replace("YWJj", "!!!!", StringComparison.Ordinal), "not valid base64"),
            Text("undo: someone else's response id", UndoFile, Undo(UndoEntry("mirrors/anchor.json")).Replace(UndoId, "11111111-1111-1111-1111-111111111111", StringComparison.Ordinal), "response"),
            Text("undo: mode not octal", UndoFile, Undo(UndoEntry("mirrors/anchor.json").Replace("}", ",\"mode\":\"rwxrwxrwx\"}", StringComparison.Ordinal)), "octal"),
        ];
        return cases.Select(c => new object[] { c });
    }

    [Theory]
    [MemberData(nameof(UndoCorpus))]
    public async Task Undo_fails_closed_on_each_bad_undo_record(BadInput input)
    {
        _workspace.WriteBytes(input.File, input.Bytes);
        var before = _workspace.ReadBytes(input.File);
        var anchor = _workspace.ReadBytes("mirrors/anchor.json");

        var result = await CliHarness.RunAsync(_workspace, "undo", UndoId, "--apply");

        AssertFailedClosed(result, input, before);
        Assert.Equal(anchor, _workspace.ReadBytes("mirrors/anchor.json"));
    }

    [Fact]
    public void The_corpus_holds_at_least_forty_bad_inputs() =>
        Assert.True(Corpus().Count() + UndoCorpus().Count() >= 40);

    private void AssertFailedClosed(CliResult result, BadInput input, byte[] before)
    {
        Assert.True(result.ExitCode == 2, $"{input.Name}: {result}");
        Assert.Contains(Path.GetFileName(input.File), result.Stderr, StringComparison.Ordinal);
        Assert.Contains(input.Expect, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unable to cast", result.Stderr, StringComparison.Ordinal);
        Assert.False(_workspace.Exists("applied.marker"), $"{input.Name}: an action ran");
        Assert.Equal(before, _workspace.ReadBytes(input.File));
        Assert.DoesNotContain(_workspace.AuditLines(), l => l.Contains("response_started", StringComparison.Ordinal));
    }
}
