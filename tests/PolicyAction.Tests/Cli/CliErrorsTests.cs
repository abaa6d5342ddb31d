using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Cli;

/// <summary>
/// Every error the CLI can print, provoked through the CLI: a row per message site with the exact words and exit code,
/// and a guard that each site the runbook test finds in the source has a row here, or an allow-list entry saying why
/// it cannot be provoked from a shell and which tests provoke it.
/// </summary>
public class CliErrorsTests
{
    private const string Brake = "forensics/safety_brake_state.json";
    private const string Trust = "state/trust_lock_state.json";
    private const string Policy = "state/policy_state.json";
    private const string Id = "0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11";

    /// <summary>Words no message may show: .NET's own, and the parser's.</summary>
    private static readonly string[] Internals = ["PolicyAction.", "System.", "Exception", "reader options", "   at "];

    /// <summary>One way to provoke one message: the workspace it starts from, the command line, the exit code and the words printed.</summary>
    internal sealed record Row(string Name, Action<TempWorkspace> Arrange, string[] Args, int Exit, string Message, IReadOnlyDictionary<string, string>? Environment = null);

    private static Action<TempWorkspace> Config => workspace => workspace.WithConfig(TempWorkspace.MinimalConfig);

    private static Action<TempWorkspace> ConfigAnd(string file, string content) => workspace => workspace.WithConfig(TempWorkspace.MinimalConfig).Write(file, content);

    internal static readonly Row[] Rows =
    [
        // The command line.
        new("typo", Config, ["stauts"], 2, "'stauts' is not a command of policy-response; did you mean 'status'?"),
        new("group alone", Config, ["brake"], 2, "policy-response brake needs a command: status ("),
        new("not a response id", Config, ["undo", "not-a-uuid"], 2, "'not-a-uuid' is not a response id; expected a UUID such as 0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11"),
        new("bad checkpoint", Config, ["verify-log", "--checkpoint", "abc"], 2, "--checkpoint 'abc' is not SEQ:SHA256 (a record number, a colon and 64 lower-case hex digits)"),
        new("no workspace", Config, ["status", "--workspace", "/nonexistent-policy-response"], 2, "workspace /nonexistent-policy-response does not exist (from --workspace)"),
        new("config outside", Config, ["gates", "--config", "../../elsewhere.yml"], 2, "): a relative --config is read from the workspace, not from the current folder. Give the path relative to the workspace, or an absolute path"),

        // The configuration.
        new("no configuration", _ => { }, ["gates"], 2, ". Run 'policy-response init' in the repository to create it (with example actions and signals, and a link to where every key is described), or pass --config PATH."),
        new("configuration not UTF-8", workspace => workspace.WriteBytes(".github/policy-response.yml", [.. "version: 1\n# "u8, 0xFF, (byte)'\n']), ["gates"], 2, "policy-response.yml:2:3: is not valid UTF-8 text (byte 0xFF); save the file as UTF-8"),

        // Reasons and locks.
        new("empty reason", Config, ["brake", "engage", "--reason", " "], 2, "--reason is required and must not be empty: say why, for whoever reads the audit log"),
        new("empty lock id", ConfigAnd(Trust, "{\"locked\": true, \"lock_id\": \"L1\", \"locked_by\": \"someone\"}"), ["trust", "force-unlock", "--lock-id", " ", "--reason", "x"], 2, "force-unlock needs --lock-id with the current lock's id (see 'policy-response trust status')"),
        new("wrong lock id", ConfigAnd(Trust, "{\"locked\": true, \"lock_id\": \"L1\", \"locked_by\": \"someone\"}"), ["trust", "force-unlock", "--lock-id", "L2", "--reason", "x"], 2, "lock id L2 does not match the current lock (L1); nothing changed. Check 'policy-response trust status'"),
        new("someone else's lock", ConfigAnd(Trust, "{\"locked\": true, \"lock_id\": \"L1\", \"locked_by\": \"someone\"}"), ["trust", "unlock", "--reason", "x"], 2, "; to release someone else's lock use 'policy-response trust force-unlock --lock-id L1 --reason \"...\"'"),

        // Responses, undo and acknowledge.
        new("auto-apply not a boolean", Config, ["respond", "--policy", "RED"], 2, "POLICY_AUTO_APPLY must be 'true' or 'false', not 'maybe'; nothing was executed", new Dictionary<string, string> { ["POLICY_AUTO_APPLY"] = "maybe" }),
        new("not a level", Config, ["respond", "--policy", "PURPLE"], 2, "--policy 'PURPLE' is not a level; expected GREEN, YELLOW or RED"),
        new("no level", Config, ["respond"], 2, "state/policy_state.json does not exist; give --policy GREEN|YELLOW|RED or let the orchestration workflow write the file"),
        new("level not a level", ConfigAnd(Policy, "{\"level\": \"PURPLE\"}"), ["respond"], 2, "level 'PURPLE' is not GREEN, YELLOW or RED"),
        new("no undo record", Config, ["undo", Id], 2, $"no undo record for response {Id} (state/policy_response_undo_{Id}.json does not exist); undo records exist only for applied responses that ran reversible actions"),
        new("empty acknowledge reason", Config, ["acknowledge", Id, "--reason", " "], 2, "--reason must not be empty: say what you checked"),
        new("nothing to acknowledge", Config, ["acknowledge", Id, "--reason", "checked"], 2, $"response {Id} is not an interrupted response in the last "),

        // The orchestrator, from a shell.
        new("no signals", Config, ["evaluate"], 2, " has no 'signals:', so there is no level to compute; add signals under 'signals:', each with an id, a source (command, file or github) and a yellow or red condition, or let your workflow write state/policy_state.json"),
        new("no such signal", Config, ["evaluate", "--explain", "ci"], 2, " nor in the recorded evaluations; its signals: none"),

        // State files.
        new("state not JSON", ConfigAnd(Brake, "{\"is_engaged\":\"yes\"}"), ["brake", "status"], 2, "safety_brake_state.json: is not valid: line 1, column 15: field is_engaged: expected true or false, found the string \"yes\". Fix it there, or restore the file from git; nothing was changed"),
        new("state empty", ConfigAnd(Brake, " \n"), ["gates"], 2, "safety_brake_state.json: is empty; expected a JSON object (delete the file to return to the default)"),
        new("state null", ConfigAnd(Trust, "null"), ["gates"], 2, "trust_lock_state.json: contains null; expected a JSON object"),
        new("state not UTF-8", workspace => workspace.WithConfig(TempWorkspace.MinimalConfig).WriteBytes(Brake, [.. "{\"reason\": \""u8, 0xC3, (byte)'"', (byte)'}']), ["brake", "status"], 2, "safety_brake_state.json: is not valid UTF-8 text (line 1, column 13: byte 0xC3); restore it from git"),
        new("state a directory", workspace => Directory.CreateDirectory(workspace.WithConfig(TempWorkspace.MinimalConfig).PathOf(Brake)), ["brake", "status"], 2, "safety_brake_state.json: is a directory, expected a JSON file"),
    ];

    /// <summary>
    /// Message sites not provoked here, by file (a folder ending in '/') or by site key, and why. Each is provoked by the
    /// tests named, where its conditions (GitHub, a runner, a race, a damaged log) can be built.
    /// </summary>
    private static readonly Dictionary<string, string> NotFromAShell = new(StringComparer.Ordinal)
    {
        ["GitHub/"] = "GitHub's answers (401, 403, 404, rate limits, timeouts): needs GitHub; provoked against the API double in tests/PolicyAction.Tests/GitHub and EndToEnd.",
        ["SharedBranch/"] = "the state branch on GitHub (reservations, conflicts, races): needs GitHub; EndToEnd and SharedBranch tests against the double.",
        ["ActionHost/"] = "the action's stages read the runner's environment and GitHub: ActionHost, Workflows and EndToEnd tests.",
        ["RunnerProtocol/"] = "the runner's files (event payload, GITHUB_OUTPUT, inputs): RunnerProtocol and Hardening tests.",
        ["Forge/"] = "branch names and GitHub failures of the commit-branch input: ForgeTests, ActionHost tests.",
        ["Orchestrator/"] = "a signal's readings (commands, files, GitHub queries) and its conditions: Orchestrator tests, table-driven per source.",
        ["Configuration/"] = "one message per key and shape: ConfigLoaderTests and BadInputCorpusTests provoke each, table-driven; two are rows here.",
        ["Alerts/"] = "alert rules, silences and issue claims (GitHub): Alerts tests.",
        ["Gates/"] = "block messages: provoked per gate by Gates tests and RunbookTests' gate table.",
        ["Scaffolding/"] = "init's refusals (workflows that differ, references): Scaffolding tests.",
        ["Processes/"] = "a program that cannot be resolved or started: Processes tests.",
        ["Output/"] = "the reporter's own output failures (a closed stdout): Output tests.",
        ["State/Audit"] = "a damaged, torn, forged or raced audit log: AuditLogTests, AuditLogVerifierTests, JsonProblemTests.",
        ["State/Segment"] = "a damaged audit log segment: AuditSegmentsTests.",
        ["State/Chain"] = "a broken hash chain: ChainFieldsTests, AuditLogVerifierTests.",
        ["State/BeneathWorkspace.cs"] = "links, races and special files beneath the workspace: BeneathWorkspaceTests.",
        ["State/WorkspacePaths.cs"] = "a reversible path in the configuration or an edited undo record: WorkspacePathsTests and UndoTests.",
        ["State/WorkspaceLock.cs"] = "the lock held by another process for 30 s: WorkspaceLockTests.",
        ["State/JsonStateFile.cs: new StateFileException(path, $\"cannot be read: {e.Message}\", e)"] = "permissions (the tests run as root, who reads anything): JsonStateFileTests.",
        ["State/JsonStateFile.cs: new StateFileException(path, $\"cannot be written ({e.Message}); it was left as it was\")"] = "a full disk or a read-only folder: AtomicFileTests.",
        ["Responses/ActionExecutor.cs"] = "an action's failure (exit code, timeout, stray processes): ActionExecutorTests.",
        ["Responses/UndoJournal.cs"] = "a reversible path that cannot be captured (a link, a special file): UndoJournalTests.",
        ["Responses/UndoService.cs"] = "a damaged or edited undo record, files changed since the response: UndoTests, table-driven; one row here.",
        ["Responses/ResponseService.cs"] = "planning problems (a program not found) and recorded outcomes: ResponseServiceTests; two rows here.",
        ["Cli/CommandServices.cs: new UsageException(\"no github-token input (and no GITHUB_TOKEN or GH_TOKEN)\")"] = "a github signal or the action without a token: Orchestrator and ActionHost tests.",
        ["Cli/CommandTree.cs: services.Reporter.Warning(warning)"] = "forwards a warning built where it arises (a torn line in the audit log or the alert history), checked there.",
        ["Cli/CommandTree.cs: warnings.Warning(warning)"] = "forwards a warning built where it arises (a torn line in the audit log or the alert history), checked there.",
        ["Cli/CliApplication.cs"] = "Ctrl-C, a crash's last words and I/O failures of the run: CommandLineTests and TerminationSignals tests.",
        ["Cli/WorkspaceDiscovery.cs"] = "no workspace found walking up from the current folder (the harness always gives --workspace): WorkspaceDiscoveryTests.",
    };

    /// <summary>Rows whose message UsageErrors builds from System.CommandLine's parse errors, by pieces the scan does not see as one text.</summary>
    private static readonly HashSet<string> BuiltFromTheParser = ["typo", "group alone"];

    public static TheoryData<string> RowNames() => [.. Rows.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task Each_error_says_what_happened_and_what_to_do(string name)
    {
        var row = Rows.Single(r => r.Name == name);
        using var workspace = new TempWorkspace();
        row.Arrange(workspace);

        var result = await CliHarness.RunAsync(workspace, row.Environment, null, null, row.Args);

        Assert.True(row.Exit == result.ExitCode, $"{name}: exit {result.ExitCode}, expected {row.Exit}\n{result}");
        Assert.True(result.Stderr.Contains(row.Message, StringComparison.Ordinal), $"{name}: not printed: «{row.Message}»\n{result}");
        foreach (var word in Internals)
        {
            Assert.DoesNotContain(word, result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_message_site_has_a_row_or_a_reason()
    {
        var sites = SourceMessages.Find();
        var uncovered = sites
            .Where(site => !Rows.Any(row => site.Texts.Any(text => row.Message.Contains(text, StringComparison.Ordinal))))
            .Where(site => !NotFromAShell.Keys.Any(key => site.Key == key || (!key.Contains(": ", StringComparison.Ordinal) && site.File.StartsWith(key, StringComparison.Ordinal))))
            .Select(site => $"{site}\n    texts: {string.Join(" | ", site.Texts)}")
            .ToArray();
        var stale = NotFromAShell.Keys.Where(key => !sites.Any(site => site.Key == key || site.File.StartsWith(key, StringComparison.Ordinal))).ToArray();

        Assert.True(uncovered.Length == 0, $"{uncovered.Length} message site(s) with no row in {nameof(CliErrorsTests)} and no reason in {nameof(NotFromAShell)}:\n" + string.Join('\n', uncovered));
        Assert.True(stale.Length == 0, "allow-list entries that match no site any more:\n" + string.Join('\n', stale));
    }

    [Fact]
    public void Every_row_provokes_a_message_the_source_builds()
    {
        // A row whose words no site builds would pass without covering anything.
        var texts = SourceMessages.Find().SelectMany(site => site.Texts).ToArray();

        var orphans = Rows.Where(row => !texts.Any(text => row.Message.Contains(text, StringComparison.Ordinal)) && !BuiltFromTheParser.Contains(row.Name)).Select(row => row.Name).ToArray();

        Assert.Empty(orphans);
    }
}
