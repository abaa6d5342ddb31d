using System.CommandLine;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using PolicyAction.Alerts;
using PolicyAction.Cli;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Processes;
using PolicyAction.Responses;
using PolicyAction.State;
using PolicyAction.Tests.Support;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Documentation;

/// <summary>
/// docs/runbook.md moves with the code: its twelve sections, every error code and message the tool can print,
/// the example configuration and the command tree are in it, and every command in it runs as written.
/// </summary>
public sealed partial class RunbookTests
{
    private readonly ITestOutputHelper _output;

    public RunbookTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static readonly string[] SectionTitles =
    [
        "Manual workflow triggers",
        "Dry-run mode",
        "Apply mode and the safety gates",
        "Rollback with undo records",
        "Resetting the safety mechanisms",
        "Policy actions by level",
        "Monitoring and alerts",
        "Troubleshooting",
        "Emergency procedures",
        "Quick command reference",
        "Operational metrics",
        "Contact and escalation",
    ];

    private const int TroubleshootingSection = 8;

    private static string RunbookPath => Path.Combine(RepositoryRoot.Path, "docs", "runbook.md");

    private static string Runbook => File.ReadAllText(RunbookPath);

    /// <summary>The text of "## N. …" up to the next "## " heading; section 0 is everything before section 1.</summary>
    private static string Section(int number)
    {
        var headings = SectionHeading().Matches(Runbook).ToArray();
        if (number == 0)
        {
            return Runbook[..headings[0].Index];
        }

        var heading = headings.Single(h => h.Groups[1].Value == number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var next = headings.FirstOrDefault(h => h.Index > heading.Index);
        return Runbook[heading.Index..(next?.Index ?? Runbook.Length)];
    }

    /// <summary>Markdown as a reader sees the text of a code span: table pipes unescaped, line breaks and runs of spaces as one space.</summary>
    private static string Flatten(string text) => Whitespace().Replace(text.Replace("\\|", "|", StringComparison.Ordinal), " ");

    // ---------------------------------------------------------------- structure

    [Fact]
    public void The_runbook_has_exactly_the_twelve_sections_of_the_seed_in_order()
    {
        var headings = Runbook.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l.TrimEnd()).ToArray();

        Assert.Equal(SectionTitles.Select((title, i) => $"## {i + 1}. {title}"), headings);
    }

    [Fact]
    public void Every_link_inside_the_runbook_and_to_the_other_docs_resolves()
    {
        var anchors = Anchors(Runbook);
        var problems = new List<string>();
        foreach (Match link in MarkdownLink().Matches(Runbook))
        {
            var target = link.Groups[1].Value;
            if (target.StartsWith("http", StringComparison.Ordinal))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var path = Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "docs", file.Length == 0 ? "runbook.md" : file));
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                problems.Add($"{target}: {file} does not exist");
            }
            else if (anchor is not null && !(file.Length == 0 ? anchors : Anchors(File.ReadAllText(path))).Contains(anchor))
            {
                problems.Add($"{target}: no heading with the anchor #{anchor}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_alert_issue_links_to_a_runbook_heading_that_exists()
    {
        // Issues link docs/runbook.md of the action at its ref, plus the alert's anchor; GitHub makes anchors from headings.
        var anchors = Anchors(Runbook);
        Assert.EndsWith("/" + Path.GetRelativePath(RepositoryRoot.Path, RunbookPath).Replace('\\', '/'), PolicyAction.ActionHost.AlertIssueLinksFor.Runbook("https://github.com", ("org/policy-response", "v2")), StringComparison.Ordinal);
        Assert.All(AlertIds.All, id => Assert.Contains(PolicyAction.Alerts.AlertIssueText.RunbookAnchor(id), anchors));
    }

    [Fact]
    public void The_actions_by_level_match_the_example_configuration()
    {
        var section = Section(6);
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(ExampleWorkspace.Source, ".github", "policy-response.yml"))));
        var levels = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["levels"];
        var rows = section.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToArray();
        var documented = 0;
        foreach (var (levelNode, actions) in levels.Children)
        {
            foreach (var action in ((YamlSequenceNode)actions).Children.Cast<YamlMappingNode>())
            {
                var level = ((YamlScalarNode)levelNode).Value!;
                var id = ((YamlScalarNode)action["id"]).Value!;
                var run = string.Join(' ', ((YamlSequenceNode)action["run"]).Children.Select(c => ((YamlScalarNode)c).Value));
                var timeout = action.Children.TryGetValue("timeout_seconds", out var t) ? ((YamlScalarNode)t).Value : ActionDefinition.DefaultTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var reversible = action.Children.TryGetValue("reversible", out var r)
                    ? string.Join(", ", ((YamlSequenceNode)((YamlMappingNode)r)["paths"]).Children.Select(p => $"`{((YamlScalarNode)p).Value}`"))
                    : "no";
                var row = $"| {level} | `{id}` | `{run}` | {timeout} s | {reversible} |";
                Assert.True(rows.Contains(row), $"section 6 has no row\n{row}");
                documented++;
            }
        }

        Assert.Equal(documented, rows.Count(r => Regex.IsMatch(r, @"^\| (YELLOW|RED) \| `")));
    }

    [Fact]
    public void The_quick_reference_lists_every_command_with_every_option_and_nothing_else()
    {
        var root = new CommandTree(new CliApplication(
            RunContext.FromVariables(new Dictionary<string, string>()), TimeProvider.System, new ProcessRunner(), TextWriter.Null, TextWriter.Null, Path.GetTempPath())).Root;
        var leaves = Leaves(root, []).ToDictionary(l => string.Join(' ', l.Path), l => l.Command);

        var rows = Section(10).Split('\n')
            .Select(l => QuickReferenceRow().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToArray();
        var listed = new List<string>();
        foreach (var words in rows)
        {
            var path = words.TakeWhile(w => Regex.IsMatch(w, "^[a-z][a-z-]*$")).ToArray();
            var name = string.Join(' ', path);
            Assert.True(leaves.TryGetValue(name, out var command), $"'policy-response {name}' in the quick reference is not a command");
            listed.Add(name);
            var options = words.Select(w => w.Trim('[', ']')).Where(w => w.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            var own = command!.Options.Where(o => !o.Recursive && o is not System.CommandLine.Help.HelpOption).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            Assert.True(own.SetEquals(options), $"'{name}': the quick reference names {string.Join(", ", options.Order(StringComparer.Ordinal))}; the command has {string.Join(", ", own.Order(StringComparer.Ordinal))}");
            var arguments = 0;
            for (var i = 1; i < words.Length; i++)
            {
                if (Regex.IsMatch(words[i].Trim('[', ']'), "^[A-Z][A-Z_]+$") && !words[i - 1].Trim('[', ']').StartsWith("--", StringComparison.Ordinal))
                {
                    arguments++;
                }
            }

            Assert.True(command.Arguments.Count == arguments, $"'{name}' takes {command.Arguments.Count} argument(s); the quick reference shows {arguments}");
        }

        Assert.Equal(leaves.Keys.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    private static IEnumerable<(string[] Path, Command Command)> Leaves(Command command, string[] path)
    {
        if (command.Subcommands.Count == 0)
        {
            yield return (path, command);
        }

        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Leaves(sub, [.. path, sub.Name]))
            {
                yield return leaf;
            }
        }
    }

    // ---------------------------------------------------------------- section 8: codes and messages

    [Fact]
    public void Every_exit_code_block_name_action_status_and_alert_id_is_in_the_troubleshooting_section()
    {
        var section = Section(TroubleshootingSection);
        var missing = new List<string>();

        foreach (var code in Constants<int>(typeof(ExitCodes)))
        {
            if (!Regex.IsMatch(section, $@"\|\s*`{code.Value}`\s*\|"))
            {
                missing.Add($"exit code {code.Value} (ExitCodes.{code.Name}): no row | `{code.Value}` |");
            }
        }

        var names = Constants<string>(typeof(GateNames))
            .Concat(Constants<string>(typeof(ActionStatuses)))
            .Concat(AlertIds.All.Select(id => ("AlertIds.All", id)));
        foreach (var (name, value) in names)
        {
            if (!section.Contains($"`{value}`", StringComparison.Ordinal))
            {
                missing.Add($"`{value}` ({name})");
            }
        }

        Assert.True(missing.Count == 0, "not in section 8 of docs/runbook.md:\n" + string.Join('\n', missing));
    }

    private static IEnumerable<(string Name, T Value)> Constants<T>(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(T))
            .Select(f => (f.Name, (T)f.GetRawConstantValue()!));

    /// <summary>
    /// Sites whose message has no fixed text of its own to look for, each with the reason it is covered anyway.
    /// Keyed by file and the site's code on one line; an entry that no longer matches a site fails the test.
    /// </summary>
    private static readonly Dictionary<string, string> Unextractable = new(StringComparer.Ordinal)
    {
        ["Orchestrator/Providers/GitHubSignalProvider.cs: SignalReading.Unknown(Refused(e, query.Permission))"] =
            "Refused() is an explanation method: each of its texts is checked there.",
        ["Orchestrator/Providers/GitHubSignalProvider.cs: SignalReading.Unknown(e.Message)"] =
            "a ForgeException's message, each checked where it is constructed.",
        ["Cli/CliApplication.cs: _reporter.Failure(message)"] =
            "UsageErrors.Describe: its own texts (a command that is not one, a group without its command; section 8.6, checked by UsageErrorsTests) or System.CommandLine's parse errors, which section 8.6 lists generically.",
        ["Cli/CliApplication.cs: _reporter.Failure(e.Message)"] =
            "prints any PolicyActionException; each message is checked where it is constructed.",
        ["Cli/CliApplication.cs: _reporter.Failure($\"{e.Message}\")"] =
            ".NET's own I/O messages (disk full, permissions); section 8.5 covers them as '<.NET I/O message>'.",
        ["Configuration/ConfigLoader.cs: new ConfigurationException([BinderProblem(path, index, e)])"] =
            "the problem comes from BinderProblem, whose Problem(...) calls and the Expectations table are checked.",
        ["Configuration/ConfigLoader.cs: new ConfigurationException(problems.Found)"] =
            "the problems come from the Report(...) calls, each checked; the wrapper text is ConfigurationException.Format, checked.",
        ["Configuration/ConfigProblems.cs: new ConfigProblem(path, null, null, field, message)"] =
            "ConfigProblems.Report forwarding a message checked at its call site.",
        ["Configuration/AlertsSection.cs: problems.Report(field, message)"] =
            "Invalid<T> forwarding a message checked at its call site.",
        ["Configuration/ConfigLoader.cs: Problem(path, e.Start, field, e.InnerException is InvalidCastException ? expectation : $\"{expectation} ({Describe(e)})\")"] =
            "the text is the 'expectation' local (the Expectations table or 'has the wrong type'), checked.",
        ["GitHub/RetryingHandler.cs: new ForgeException(attempts.GaveUp ?? what, error)"] =
            "the 'GaveUp' texts built in Retry() and the 'what' local, each with fixed text checked in section 8.12.",
        ["GitHub/RetryingHandler.cs: new ForgeException(gaveUp)"] =
            "a rate limit's 'GaveUp' text built in Retry(), checked in section 8.12.",
        ["Output/Reporter.cs: RunnerProtocol.WorkflowCommands.Warning(text, title)"] =
            "the reporter's own plumbing: the text is a Warning(...) call's, checked there.",
        ["Responses/ResponseService.cs: reporter.Warning(log.Warning)"] =
            "the torn-line warning, built by AuditLog's 'warning' local and Torn(), both checked.",
        ["Cli/CommandTree.cs: warnings.Warning(warning)"] =
            "alerts and status print the torn-line warnings: AuditLog's (Torn() and the segment scan's, checked) and AlertService.TornHistoryLine's, checked.",
        ["Cli/CommandTree.cs: services.Reporter.Warning(warning)"] =
            "evaluate --explain prints the audit log's torn-line warning, built by the segment scan, checked there.",
        ["Responses/ResponseService.cs: message = evaluation.Message!"] =
            "the first blocking gate's BlockMessage (IGate's default and the gates' own), each checked.",
        ["Gates/SafetyGates.cs: $\"blocked by {Name}: {result.Detail}\""] =
            "'blocked by ' is shorter than the minimum; the name (GateNames.InterruptedResponse) and Advice() are checked.",
        ["Responses/ActionExecutor.cs: detail = detail is null ? strays : $\"{detail}; {strays}\""] =
            "joins two details, each checked at its own assignment.",
        ["Responses/ActionExecutor.cs: reporter.Warning($\"action {action.Id} {detail}\")"] =
            "'action ' is shorter than the minimum; the detail is checked at its assignments and section 8.5 shows 'action <id> <detail>'.",
        ["Responses/UndoJournal.cs: e.Message"] =
            "forwards a WorkspacePaths.ResolveConfined message, checked there.",
        ["SharedBranch/ArtifactCommitter.cs: new StateFileException(path, refusal)"] =
            "forwards the commit's verify callback (CommitStage.VerifyUndoRecord), whose texts are checked there.",
        ["Responses/UndoService.cs: new StateFileException(path, $\"action {action.Action}: {e.Message}\")"] =
            "'action ' is shorter than the minimum; the path problem is checked in WorkspacePaths and section 8.9 shows the form.",
        ["State/WorkspacePaths.cs: new PolicyActionException(ExitCodes.UsageOrStateError, $\"path {problem}\")"] =
            "'path ' is shorter than the minimum; the problems are CheckRelative's, each checked.",
        ["State/AuditLog.cs: warning = Torn(name, lineNumber)"] =
            "Torn() builds the warning; its text is checked there.",
        ["State/AuditLog.cs: warning = Torn(name, previous.Line)"] =
            "Torn() builds the warning; its text is checked there.",
        ["State/AuditLog.cs: warning ??= contents.Warning"] =
            "carries a segment's torn-line warning from Parse(), built by Torn(), checked there.",
        ["State/AuditLogVerifier.cs: Broken(good, line, problem)"] =
            "Break() forwarding a finding checked at its call site.",
        ["State/AuditLogVerifier.cs: new LogVerification(false, head.Seq, head, line, problem, _warnings)"] =
            "Broken() forwarding a finding checked at its call site.",
    };

    [Fact]
    public void Every_error_message_the_tool_can_print_is_in_the_troubleshooting_section()
    {
        var section = Flatten(Section(TroubleshootingSection));
        var sites = SourceMessages.Find();
        Assert.True(sites.Count > 100, $"only {sites.Count} message sites found in {SourceMessages.SourceRoot}: is the scan still looking at the right code?");

        var missing = new List<string>();
        foreach (var site in sites)
        {
            if (site.Texts.Count == 0)
            {
                if (!Unextractable.ContainsKey(site.Key))
                {
                    missing.Add($"{site.File}:{site.Line}: no fixed text of at least {SourceMessages.MinimumPiece} characters; document it and add it to the allow-list with a reason:\n    {site.Key}");
                }

                continue;
            }

            foreach (var text in site.Texts.Where(t => !section.Contains(Flatten(t), StringComparison.Ordinal)))
            {
                missing.Add($"{site.File}:{site.Line} ({site.Kind}): «{text}»");
            }
        }

        var stale = Unextractable.Keys.Where(key => !sites.Any(s => s.Key == key)).ToArray();

        Assert.True(missing.Count == 0, $"{missing.Count} message(s) not in section 8 of docs/runbook.md:\n" + string.Join('\n', missing));
        Assert.True(stale.Length == 0, "allow-list entries that match no site any more:\n" + string.Join('\n', stale));
    }

    [Fact]
    public void The_message_scan_finds_messages_in_every_kind_of_string()
    {
        // A guard on the scanner itself: verbatim, raw, interpolated and concatenated strings all yield their fixed text.
        var sites = SourceMessages.Find();
        string[] Texts(string file) => sites.Where(s => s.File == file).SelectMany(s => s.Texts).ToArray();

        Assert.Contains(". Run 'policy-response init' in the repository to create it (with example actions and signals, and a link to where every key is described), or pass --config PATH.", Texts("Configuration/ConfigFile.cs"));
        Assert.Contains("is required: the command as a list, e.g. [\"/usr/bin/sha256sum\", \"-c\", \"manifest.sha256\"]", Texts("Configuration/LevelsSection.cs"));
        Assert.Contains("expected a whole number of seconds", Texts("Configuration/ConfigLoader.cs"));
        Assert.Contains(" (401): check the github-token input", Texts("GitHub/OctokitForge.cs"));
        Assert.Contains("it contains a space, a control character or one of ~ ^ : ? * [ \\", Texts("Forge/BranchName.cs"));
        Assert.Contains("exited with code ", Texts("Responses/ActionExecutor.cs"));
    }

    // ---------------------------------------------------------------- commands: gh

    private static readonly HashSet<string> GhCommands =
    [
        "workflow run", "workflow disable", "workflow enable", "workflow view",
        "run list", "run view", "run watch", "run cancel",
        "issue list", "issue view",
        "secret list", "secret set", "secret delete",
    ];

    [Fact]
    public void Every_gh_command_names_a_workflow_and_inputs_that_exist()
    {
        var lines = CommandLines(Runbook).Where(l => l.Text.StartsWith("gh ", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(lines);
        var problems = new List<string>();
        foreach (var (line, _) in lines)
        {
            var words = Shell.Words(line).TakeWhile(w => w != "|").ToArray();
            var verb = $"{words[1]} {words[2]}";
            if (!GhCommands.Contains(verb))
            {
                problems.Add($"{line}: 'gh {verb}' is not one of the gh commands this runbook is checked for");
                continue;
            }

            string? workflow = words[1] == "workflow" ? words[3] : Option(words, "--workflow", "-w");
            Dictionary<string, string>? inputs = null;
            if (workflow is not null)
            {
                var path = Path.Combine(RepositoryRoot.Path, "workflows", workflow);
                if (!File.Exists(path))
                {
                    problems.Add($"{line}: workflows/{workflow} does not exist");
                    continue;
                }

                inputs = DispatchInputs(path);
            }

            for (var i = 0; i < words.Length - 1; i++)
            {
                if (words[i] is "-f" or "-F" or "--field" or "--raw-field" && words[1] == "workflow")
                {
                    var (name, value) = (words[i + 1].Split('=')[0], words[i + 1][(words[i + 1].IndexOf('=', StringComparison.Ordinal) + 1)..]);
                    if (inputs is null || !inputs.TryGetValue(name, out var type))
                    {
                        problems.Add($"{line}: {workflow} has no workflow_dispatch input '{name}'");
                    }
                    else if (type == "boolean" && value is not ("true" or "false"))
                    {
                        problems.Add($"{line}: input '{name}' is a boolean; '{value}' is not true or false");
                    }
                }

                if (words[i] == "--label" && words[i + 1] != AlertSettings.DefaultIssues.Labels[0])
                {
                    problems.Add($"{line}: alert issues carry the label '{AlertSettings.DefaultIssues.Labels[0]}', not '{words[i + 1]}'");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static string? Option(string[] words, params string[] names)
    {
        var at = Array.FindIndex(words, w => names.Contains(w));
        return at >= 0 && at + 1 < words.Length ? words[at + 1] : null;
    }

    private static Dictionary<string, string> DispatchInputs(string workflowFile)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(workflowFile)));
        var on = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["on"];
        if (!on.Children.TryGetValue("workflow_dispatch", out var dispatch) || dispatch is not YamlMappingNode dispatchMap || !dispatchMap.Children.TryGetValue("inputs", out var inputs))
        {
            return [];
        }

        return ((YamlMappingNode)inputs).Children.ToDictionary(
            p => ((YamlScalarNode)p.Key).Value!,
            p => ((YamlMappingNode)p.Value).Children.TryGetValue("type", out var type) ? ((YamlScalarNode)type).Value! : "string");
    }

    // ---------------------------------------------------------------- commands: policy-response and jq, run

    /// <summary>The sections with commands to run: 0 is the part before section 1.</summary>
    public static TheoryData<int> SectionsWithCommands()
    {
        var data = new TheoryData<int>();
        for (var n = 0; n <= SectionTitles.Length; n++)
        {
            if (Steps(Section(n)).Any(s => s.Line is { } line && IsRun(line.Text)))
            {
                data.Add(n);
            }
        }

        return data;
    }

    /// <summary>
    /// Runs every policy-response and jq line of a section, in order, with bash (as the operator would type it) and a
    /// <c>policy-response</c> on PATH that starts the build under test, in one copy of examples/workspace per section.
    /// Placeholders are replaced with values from the workspace; <c>&lt;!-- runbook-test: given … --&gt;</c> comments
    /// set up the situation a block is about. Each line must exit as its <c># exit N</c> comment says (0 without one).
    /// jq lines also have every field they read checked against the JSON they read; without jq installed they are not
    /// run, and a pipeline into jq runs only its policy-response part.
    /// </summary>
    [Theory]
    [MemberData(nameof(SectionsWithCommands))]
    public async Task Every_command_of_the_section_runs_with_the_documented_exit_code(int section)
    {
        using var workspace = ExampleWorkspace.Copy();
        var scenario = new Scenario(workspace, _output);
        var ran = 0;
        foreach (var step in Steps(Section(section)))
        {
            if (step.Setup is { } setup)
            {
                _output.WriteLine($"-- {setup}");
                await scenario.GivenAsync(setup);
                continue;
            }

            var (text, expected) = step.Line!.Value;
            if (!IsRun(text))
            {
                _output.WriteLine($"(not run) {text}");
                continue;
            }

            await scenario.RunAsync(text, expected);
            ran++;
        }

        Assert.True(ran > 0);
    }

    private static bool IsRun(string line) => ToolLine().IsMatch(line) || line.StartsWith("jq ", StringComparison.Ordinal);

    private sealed record Step(string? Setup, (string Text, int ExpectedExit)? Line);

    /// <summary>Setup comments and command lines of bash blocks, in document order.</summary>
    private static IEnumerable<Step> Steps(string markdown)
    {
        foreach (Match match in StepPattern().Matches(markdown))
        {
            if (match.Groups["setup"].Success)
            {
                yield return new Step(match.Groups["setup"].Value.Trim(), null);
                continue;
            }

            foreach (var line in CommandLines("```bash\n" + match.Groups["code"].Value + "```"))
            {
                yield return new Step(null, line);
            }
        }
    }

    /// <summary>The command lines of the bash blocks: comment lines dropped, continuations joined, the expected exit code read.</summary>
    private static IEnumerable<(string Text, int ExpectedExit)> CommandLines(string markdown)
    {
        foreach (Match block in BashBlock().Matches(markdown))
        {
            var joined = block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal);
            foreach (var raw in joined.Split('\n'))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                var exit = ExitComment().Match(line);
                yield return (line, exit.Success ? int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
            }
        }
    }

    /// <summary>One section's workspace, the values its placeholders take, and how its lines are run.</summary>
    private sealed class Scenario(TempWorkspace workspace, ITestOutputHelper output)
    {
        private const string Operator = "alice";
        private const string SomeoneElse = "bob";
        private static readonly Lazy<string> WrapperFolder = new(CreateWrapper);
        private static readonly bool HasJq = OnPath("jq");
        private string? _checkpoint;

        public async Task GivenAsync(string setup)
        {
            switch (setup)
            {
                case "given an applied response":
                    await ToolAsync(0, Operator, "respond", "--policy", "RED", "--apply");
                    break;
                case "given an interrupted response":
                    await InterruptAsync();
                    break;
                case "given a trust lock taken by someone else":
                    // Someone else: a workflow run they triggered. On one machine every command is the same operating-system user.
                    await ToolAsync(0, SomeoneElse, inRunner: true, "trust", "lock", "--reason", "investigating the anchor mirror");
                    break;
                case "given the safety brake engaged":
                    await ToolAsync(0, SomeoneElse, "brake", "engage", "--reason", "responses misbehaving");
                    break;
                case "given a truncated audit log":
                    await TruncateAsync();
                    break;
                case "given an edited audit log":
                    Edit();
                    break;
                case "given a day of activity":
                    await DayOfActivityAsync();
                    break;
                case "given the example signals":
                    workspace.WithConfig(workspace.Read(".github/policy-response.yml") + ExampleSignals);
                    break;
                default:
                    Assert.Fail($"unknown runbook-test setup '{setup}'");
                    break;
            }
        }

        public async Task RunAsync(string line, int expected)
        {
            var command = Substitute(line);
            var pipeIntoJq = Shell.PipeIndex(command) is { } pipe && command[(pipe + 1)..].TrimStart().StartsWith("jq ", StringComparison.Ordinal) ? pipe : (int?)null;
            var isJqLine = command.StartsWith("jq ", StringComparison.Ordinal);

            if (isJqLine || pipeIntoJq is not null)
            {
                CheckJqFields(command, isJqLine ? null : await BashAsync(command[..pipeIntoJq!.Value], null));
            }

            if (!HasJq && isJqLine)
            {
                output.WriteLine($"(jq not installed: fields checked, not run) {command}");
                return;
            }

            var run = !HasJq && pipeIntoJq is not null ? command[..pipeIntoJq.Value] : command;
            var result = await BashAsync(run, expected);
            output.WriteLine($"$ {run}\n  exit {result.ExitCode}");
            Assert.DoesNotContain("jq: error", result.Stderr, StringComparison.Ordinal);
        }

        /// <summary>Runs one line with bash -o pipefail; with an expected code, asserts it.</summary>
        private async Task<CliResult> BashAsync(string line, int? expected)
        {
            var start = new System.Diagnostics.ProcessStartInfo("bash")
            {
                WorkingDirectory = workspace.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "-o", "pipefail", "-c", line })
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("GITHUB_", StringComparison.Ordinal) || k.StartsWith("INPUT_", StringComparison.Ordinal) || k.StartsWith("POLICY_", StringComparison.Ordinal)).ToArray())
            {
                start.Environment.Remove(name);
            }

            start.Environment["GITHUB_ACTOR"] = Operator;
            start.Environment["PATH"] = WrapperFolder.Value + Path.PathSeparator + start.Environment["PATH"];
            using var process = System.Diagnostics.Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            var result = new CliResult(process.ExitCode, await stdout, await stderr);
            if (expected is { } code)
            {
                Assert.True(result.ExitCode == code, $"docs/runbook.md: `{line}` should exit {code}\n{result}");
            }

            return result;
        }

        /// <summary>Every field a jq filter reads exists in what it reads: the files named, or the tool's JSON piped in.</summary>
        private void CheckJqFields(string command, CliResult? piped)
        {
            var words = Shell.Words(command[(command.StartsWith("jq ", StringComparison.Ordinal) ? 0 : Shell.PipeIndex(command)!.Value + 1)..]).ToArray();
            var (filter, files) = Jq.FilterAndFiles(words);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            if (piped is not null)
            {
                Jq.CollectKeys(JsonDocument.Parse(piped.Stdout).RootElement, keys);
            }

            foreach (var pattern in files)
            {
                var matched = Directory.Exists(Path.Combine(workspace.Root, Path.GetDirectoryName(pattern)!))
                    ? Directory.GetFiles(Path.Combine(workspace.Root, Path.GetDirectoryName(pattern)!), Path.GetFileName(pattern))
                    : [];
                Assert.True(matched.Length > 0, $"`{command}` reads {pattern}, which the scenario did not produce");
                foreach (var file in matched)
                {
                    var lines = file.EndsWith(".jsonl", StringComparison.Ordinal) ? File.ReadAllLines(file) : [File.ReadAllText(file)];
                    foreach (var json in lines.Where(l => l.Length > 0))
                    {
                        Jq.CollectKeys(JsonDocument.Parse(json).RootElement, keys);
                    }
                }
            }

            var unknown = Jq.Fields(filter).Where(f => !keys.Contains(f)).ToArray();
            Assert.True(unknown.Length == 0, $"`{command}` reads {string.Join(", ", unknown.Select(f => "." + f))}, which no record it reads has (fields: {string.Join(", ", keys.Order(StringComparer.Ordinal))})");
            foreach (var (field, value) in Jq.Comparisons(filter))
            {
                Assert.True(Jq.KnownValues(field) is not { } known || known.Contains(value), $"`{command}` compares .{field} with \"{value}\", which the tool never writes");
            }
        }

        private string Substitute(string line) => Placeholder().Replace(line, match => match.Groups[1].Value switch
        {
            "response-id" => LastRecord(AuditEvents.ResponseStarted)?["response_id"]?.GetValue<string>()
                ?? throw new InvalidOperationException($"`{line}`: no applied response in the workspace for <response-id>; add a command or a runbook-test setup before it"),
            "lock-id" => Json("state/trust_lock_state.json")?["lock_id"]?.GetValue<string>()
                ?? throw new InvalidOperationException($"`{line}`: the trust guard is not locked, so there is no <lock-id>"),
            "plan-digest" => Json("state/policy_response_preview.json")?["plan_digest"]?.GetValue<string>()
                ?? throw new InvalidOperationException($"`{line}`: no preview in the workspace for <plan-digest>; run a dry run first"),
            "checkpoint" => _checkpoint ?? throw new InvalidOperationException($"`{line}`: no <checkpoint> was recorded; a runbook-test setup must record one"),
            var other => throw new InvalidOperationException($"`{line}`: unknown placeholder <{other}>"),
        });

        private JsonNode? Json(string relative) => workspace.Exists(relative) ? JsonNode.Parse(workspace.Read(relative)) : null;

        private JsonNode? LastRecord(string eventName) =>
            workspace.AuditLines().Select(Jq.TryParse).LastOrDefault(r => r?["event"]?.GetValue<string>() == eventName);

        private Task<CliResult> ToolAsync(int expected, string actor, params string[] args) => ToolAsync(expected, actor, inRunner: false, args);

        /// <param name="inRunner">As in a GitHub Actions runner, where <paramref name="actor"/> is who acts; elsewhere it is only claimed.</param>
        private async Task<CliResult> ToolAsync(int expected, string actor, bool inRunner, params string[] args)
        {
            var result = await ProcessCli.RunAsync(workspace.Root, new Dictionary<string, string?> { ["GITHUB_ACTOR"] = actor, ["GITHUB_ACTIONS"] = inRunner ? "true" : null }, args);
            Assert.True(result.ExitCode == expected, $"setup `policy-response {string.Join(' ', args)}` should exit {expected}\n{result}");
            return result;
        }

        /// <summary>The signals of docs/orchestrator.md's starting configuration that read the example workspace's own files.</summary>
        private const string ExampleSignals = """
            signals:
              - id: integrity_manifest
                description: Files match the integrity manifest
                command:
                  run: ["/usr/bin/sha256sum", "--quiet", "-c", "manifest.sha256"]
                red: "!= 0"
              - id: anchor_chain_present
                description: The anchor chain exists and is not empty
                command:
                  run: ["/usr/bin/test", "-s", "anchors/anchor_chain.json"]
                yellow: "!= 0"
              - id: cold_storage_copy
                description: The cold-storage copy of the anchor chain exists
                file:
                  path: cold_storage/anchor_chain.json
                red: missing

            """;

        /// <summary>A real apply killed half-way, as a lost runner leaves it: the reversible copy ran, the next action kills the tool.</summary>
        private async Task InterruptAsync()
        {
            var config = workspace.Read(".github/policy-response.yml");
            workspace.WithConfig("""
                version: 1
                levels:
                  RED:
                    - id: integrity_anchor_mirror
                      run: ["/bin/cp", "anchors/anchor_chain.json", "mirrors/anchor_chain.json"]
                      reversible:
                        paths: ["mirrors/anchor_chain.json"]
                    - id: lost_runner
                      run: ["/bin/sh", "-c", "kill -9 $PPID"]
                """);
            await ToolAsync(137, Operator, "respond", "--policy", "RED", "--apply");
            workspace.WithConfig(config);
        }

        /// <summary>Records the checkpoint a run would have printed, then cuts the last record off the log.</summary>
        private async Task TruncateAsync()
        {
            // Records to cut: two dry runs of the levels the orchestration wrote log their level changes (and their
            // blocks, if a gate blocks). A --policy preview would log no level change: it is a what-if.
            foreach (var level in new[] { "YELLOW", "RED" })
            {
                await ObserveAsync(level, 0, 3);
            }

            using var verification = JsonDocument.Parse((await ToolAsync(0, Operator, "verify-log", "--json")).Stdout);
            var head = verification.RootElement.GetProperty("head");
            _checkpoint = $"{head.GetProperty("seq").GetInt64()}:{head.GetProperty("hash").GetString()}";
            var lines = workspace.AuditLines();
            workspace.Write("state/policy_response_log.jsonl", string.Concat(lines[..^1].Select(l => l + "\n")));
        }

        /// <summary>The orchestration writes the level, and a dry run responds to it (recording the level when it changed).</summary>
        private async Task ObserveAsync(string level, params int[] expected)
        {
            workspace.Write("state/policy_state.json", $$"""{"level": "{{level}}", "updated_at": "2026-11-24T04:45:00Z"}""" + "\n");
            var dryRun = await ProcessCli.RunAsync(workspace.Root, new Dictionary<string, string?> { ["GITHUB_ACTOR"] = Operator }, "respond");
            Assert.True(expected.Contains(dryRun.ExitCode), dryRun.ToString());
        }

        /// <summary>Someone changes who did something in the second record.</summary>
        private void Edit()
        {
            var lines = workspace.AuditLines();
            Assert.True(lines.Length >= 3, "the edited-log setup needs a log with records");
            var record = JsonNode.Parse(lines[1])!;
            record["actor"] = "mallory";
            lines[1] = record.ToJsonString();
            workspace.Write("state/policy_response_log.jsonl", string.Concat(lines.Select(l => l + "\n")));
        }

        /// <summary>Everything section 11 reads from: level changes, applies, an undo, unlocks, the brake, a block, a failed action, alerts.</summary>
        private async Task DayOfActivityAsync()
        {
            // Levels the orchestration wrote (a --policy preview is a what-if and records no level change).
            await ObserveAsync("YELLOW", 0);
            await ObserveAsync("RED", 0);
            await ToolAsync(0, Operator, "respond", "--policy", "RED", "--apply");
            var applied = LastRecord(AuditEvents.ResponseStarted)!["response_id"]!.GetValue<string>();
            await ToolAsync(0, Operator, "undo", applied, "--apply");
            await ToolAsync(0, Operator, "trust", "lock", "--reason", "checking the mirror");
            await ToolAsync(0, Operator, "trust", "unlock", "--reason", "mirror checked");
            await ToolAsync(0, SomeoneElse, inRunner: true, "trust", "lock", "--reason", "investigating");
            var lockId = Json("state/trust_lock_state.json")!["lock_id"]!.GetValue<string>();
            await ToolAsync(0, Operator, "trust", "force-unlock", "--lock-id", lockId, "--reason", "bob agreed");
            await ToolAsync(0, Operator, "brake", "engage", "--reason", "drill");
            await ToolAsync(3, Operator, "respond", "--policy", "RED");
            await ToolAsync(0, Operator, "brake", "release", "--reason", "drill over");
            var anchors = workspace.ReadBytes("anchors/anchor_chain.json");
            workspace.Write("anchors/anchor_chain.json", "{\"chain\": []}\n");
            await ToolAsync(1, Operator, "respond", "--policy", "RED", "--apply");
            workspace.WriteBytes("anchors/anchor_chain.json", anchors);
            await InterruptAsync();
            await ToolAsync(0, Operator, "acknowledge", LastRecord(AuditEvents.ResponseStarted)!["response_id"]!.GetValue<string>(), "--reason", "checked the mirror");
            await ObserveAsync("GREEN", 0);
            await ToolAsync(0, Operator, "alerts");
        }

        private static string CreateWrapper()
        {
            var folder = Path.Combine(Path.GetTempPath(), "policy-response-tests", "runbook-bin-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var start = ProcessCli.StartInfo(folder, []);
            static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

            // bash, not sh: dash drops variables whose names are not shell names (INPUT_COMMIT-ARTIFACTS) from the environment.
            var script = $"#!/bin/bash\nexec {string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList).Select(Quote))} \"$@\"\n";
            var path = Path.Combine(folder, "policy-response");
            File.WriteAllText(path, script);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            return folder;
        }

        private static bool OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Any(dir => File.Exists(Path.Combine(dir, program)));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces as '-', repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (inFence || HeadingLine().Match(line) is not { Success: true } heading)
            {
                continue;
            }

            var slug = Regex.Replace(heading.Groups[1].Value.Trim().ToLowerInvariant().Replace("`", string.Empty, StringComparison.Ordinal), @"[^\p{L}\p{N}\p{Mn}\p{Pc} -]", string.Empty).Replace(' ', '-');
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    [GeneratedRegex(@"^## (\d+)\. ", RegexOptions.Multiline)]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"^#{1,6} (.+)$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^\| `policy-response ([^`]+)` \|")]
    private static partial Regex QuickReferenceRow();

    [GeneratedRegex("```(?:bash|sh)\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex("<!--\\s*runbook-test:(?<setup>[^>]*?)-->|```(?:bash|sh)\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"#\s*exit\s+(\d+)\s*$")]
    private static partial Regex ExitComment();

    [GeneratedRegex(@"^([A-Z_][A-Z0-9_]*=\S*\s+)*policy-response(\s|$)")]
    private static partial Regex ToolLine();

    [GeneratedRegex("<([a-z][a-z-]*)>")]
    private static partial Regex Placeholder();
}

/// <summary>Just enough of a POSIX shell's word splitting to read the runbook's command lines.</summary>
internal static class Shell
{
    /// <summary>The words of a line, quotes removed; an unquoted '|' is a word of its own; a '#' starting a word ends the line.</summary>
    public static IEnumerable<string> Words(string line)
    {
        var word = new System.Text.StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\'')
            {
                var end = line.IndexOf('\'', i + 1);
                word.Append(line, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == '"')
            {
                for (i++; line[i] != '"'; i++)
                {
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`')
                    {
                        i++;
                    }

                    word.Append(line[i]);
                }

                inWord = true;
            }
            else if (char.IsWhiteSpace(c) || c == '|')
            {
                if (inWord)
                {
                    yield return word.ToString();
                    word.Clear();
                    inWord = false;
                }

                if (c == '|')
                {
                    yield return "|";
                }
            }
            else if (c == '#' && !inWord)
            {
                yield break;
            }
            else
            {
                word.Append(c == '\\' && i + 1 < line.Length ? line[++i] : c);
                inWord = true;
            }
        }

        if (inWord)
        {
            yield return word.ToString();
        }
    }

    /// <summary>Where the first unquoted '|' is, if any.</summary>
    public static int? PipeIndex(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '|')
            {
                return i;
            }
        }

        return null;
    }
}

/// <summary>Reading the runbook's jq filters: their arguments, the fields they read, the values they compare with.</summary>
internal static partial class Jq
{
    private static readonly HashSet<string> FlagsWithTwoValues = ["--arg", "--argjson", "--slurpfile", "--rawfile"];
    private static readonly HashSet<string> FlagsWithOneValue = ["--indent"];

    public static (string Filter, string[] Files) FilterAndFiles(string[] words)
    {
        var rest = new List<string>();
        for (var i = 1; i < words.Length && words[i] != "|"; i++)
        {
            if (FlagsWithTwoValues.Contains(words[i]))
            {
                i += 2;
            }
            else if (FlagsWithOneValue.Contains(words[i]))
            {
                i++;
            }
            else if (!words[i].StartsWith('-'))
            {
                rest.Add(words[i]);
            }
        }

        return (rest[0], rest.Skip(1).ToArray());
    }

    /// <summary>Every .name in the filter, and every name in an object shorthand such as {action, command}.</summary>
    public static IEnumerable<string> Fields(string filter) =>
        DottedField().Matches(filter).Select(m => m.Groups[1].Value)
            .Concat(ObjectShorthand().Matches(filter).SelectMany(m => m.Groups[1].Value.Split(',').Select(f => f.Trim())).Where(f => Regex.IsMatch(f, @"^[a-z_][a-z0-9_]*$")))
            .Distinct(StringComparer.Ordinal);

    public static IEnumerable<(string Field, string Value)> Comparisons(string filter) =>
        FieldComparison().Matches(filter).Select(m => (m.Groups[1].Value, m.Groups[2].Value));

    /// <summary>The values the tool writes for a field, where it has a fixed set.</summary>
    public static IReadOnlySet<string>? KnownValues(string field) => field switch
    {
        "event" => ConstantsOf(typeof(AuditEvents)),
        "status" => ConstantsOf(typeof(ActionStatuses)),
        "policy" or "previous_policy" => new HashSet<string>(["GREEN", "YELLOW", "RED"]),
        "name" => ConstantsOf(typeof(GateNames)),
        "id" => AlertIds.All.ToHashSet(),
        _ => null,
    };

    private static HashSet<string> ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);

    public static void CollectKeys(JsonElement element, HashSet<string> keys)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                keys.Add(property.Name);
                CollectKeys(property.Value, keys);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                CollectKeys(item, keys);
            }
        }
    }

    public static JsonNode? TryParse(string line)
    {
        try
        {
            return JsonNode.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\.([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex DottedField();

    [GeneratedRegex(@"\{([^{}:()""]*)\}")]
    private static partial Regex ObjectShorthand();

    [GeneratedRegex(@"\.([a-z_]+)\s*==\s*""([^""]*)""")]
    private static partial Regex FieldComparison();
}
