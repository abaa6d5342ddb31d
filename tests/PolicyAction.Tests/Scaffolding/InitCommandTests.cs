using System.Diagnostics;
using System.Text.RegularExpressions;
using PolicyAction.Configuration;
using PolicyAction.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Scaffolding;

/// <summary><c>policy-response init</c> run as a real process in real folders.</summary>
public sealed partial class InitCommandTests : IDisposable
{
    private const string ReleasePin = "my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef";

    private static readonly string[] Created =
    [
        ".github/policy-response.yml",
        ".github/workflows/policy_orchestration.yml",
        ".github/workflows/policy_response_runner.yml",
        ".github/workflows/policy_orchestration_alerts.yml",
        ".github/workflows/policy_control.yml",
        "state/policy_state.json",
        "state/trust_lock_state.json",
        "forensics/safety_brake_state.json",
        "state/.gitignore",
    ];

    private readonly TempWorkspace _repository = new();

    public void Dispose() => _repository.Dispose();

    private Task<CliResult> Init(params string[] args) => ProcessCli.RunAsync(_repository, ["init", .. args]);

    private string[] Files() =>
        Directory.EnumerateFiles(_repository.Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_repository.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public async Task In_an_empty_folder_it_writes_everything_and_the_tool_works_there_at_once()
    {
        var init = await Init();

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal(Created.Order(StringComparer.Ordinal), Files());
        foreach (var file in Created)
        {
            Assert.Contains($"created   {file}", init.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("policy-apply", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("required reviewers", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("contents: write", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("run .github/workflows/policy_control.yml from the Actions tab, the mobile app or gh (gh workflow run policy_control.yml -f command=brake-engage", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"policy-control\" without", init.Stdout, StringComparison.Ordinal);

        var gates = await ProcessCli.RunAsync(_repository, "gates");
        Assert.True(gates.ExitCode == 0, gates.ToString());
        var red = await ProcessCli.RunAsync(_repository, "respond", "--policy", "RED");
        Assert.True(red.ExitCode == 0, red.ToString());
        Assert.Contains("no actions are configured for RED", red.Stdout, StringComparison.Ordinal);
        var fromState = await ProcessCli.RunAsync(_repository, "respond");
        Assert.True(fromState.ExitCode == 0, fromState.ToString());
        Assert.Contains("GREEN", fromState.Stdout, StringComparison.Ordinal);
        var status = await ProcessCli.RunAsync(_repository, "status");
        Assert.True(status.ExitCode == 0, status.ToString());
    }

    [Fact]
    public async Task A_fresh_repository_evaluates_to_green_its_ci_signal_shown_but_not_counted()
    {
        Assert.Equal(0, (await Init()).ExitCode);

        var preview = await ProcessCli.RunAsync(_repository, "evaluate");
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Contains("Policy level: GREEN", preview.Stdout, StringComparison.Ordinal);
        Assert.Contains("failed_ci", preview.Stdout, StringComparison.Ordinal);

        // Recorded as the orchestration would: GREEN, nothing firing, the dry-run signal kept in the reasons.
        var recorded = await ProcessCli.RunAsync(_repository, "evaluate", "--record", "--json");
        Assert.True(recorded.ExitCode == 0, recorded.ToString());
        using var report = System.Text.Json.JsonDocument.Parse(recorded.Stdout);
        Assert.Equal("GREEN", report.RootElement.GetProperty("level").GetString());
        Assert.Equal(0, report.RootElement.GetProperty("signals_firing").GetArrayLength());
        using var state = System.Text.Json.JsonDocument.Parse(_repository.Read("state/policy_state.json"));
        Assert.Equal("GREEN", state.RootElement.GetProperty("level").GetString());
        var reason = Assert.Single(state.RootElement.GetProperty("reasons").EnumerateArray());
        Assert.Equal(("failed_ci", true), (reason.GetProperty("signal").GetString(), reason.GetProperty("dry_run").GetBoolean()));
    }

    [Fact]
    public async Task The_lock_file_it_may_leave_is_ignored_by_git()
    {
        await Init();
        await ProcessCli.RunAsync(_repository, "brake", "status");
        await ProcessCli.RunAsync(_repository, "respond", "--policy", "RED");
        Assert.True(_repository.Exists("state/.policy-response.lock"));

        Assert.Equal(".policy-response.lock", _repository.Read("state/.gitignore").Split('\n').Select(l => l.Trim()).Single(l => l.Length > 0 && !l.StartsWith('#')));
        if (Git("init", "-q") is 0)
        {
            var ignored = Git("check-ignore", "-q", "state/.policy-response.lock");
            Assert.Equal(0, ignored);
            Assert.NotEqual(0, Git("check-ignore", "-q", "state/trust_lock_state.json"));
        }
    }

    [Fact]
    public async Task The_workflows_pass_githubs_parser_and_actionlint_and_pin_the_release_given()
    {
        var init = await Init("--action", ReleasePin);
        Assert.True(init.ExitCode == 0, init.ToString());

        var lint = await LintActions(Directory.GetFiles(_repository.PathOf(".github/workflows"), "*.yml"));
        Assert.True(lint.ExitCode == 0, lint.Output);
        Assert.Contains("0 problem(s) in 4 file(s)", lint.Output, StringComparison.Ordinal);

        foreach (var workflow in new[] { "policy_orchestration.yml", "policy_response_runner.yml", "policy_orchestration_alerts.yml", "policy_control.yml" })
        {
            var text = _repository.Read($".github/workflows/{workflow}");
            var uses = UsesLines().Matches(text).Select(m => m.Groups[1].Value).Where(u => u.Contains("policy-response", StringComparison.Ordinal)).ToArray();
            Assert.Equal([$"{ReleasePin} # pinned by init"], uses);
        }

        Assert.DoesNotContain("tag that can move", init.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_pin_it_uses_the_major_tag_and_says_to_pin_a_commit()
    {
        var init = await Init();

        Assert.Contains("uses: org/policy-response@v2\n", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
        Assert.Contains("a tag that can move", init.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_configuration_names_its_schema_and_its_commented_examples_are_the_seeds_actions()
    {
        await Init("--action", ReleasePin);
        var text = _repository.Read(".github/policy-response.yml");

        var schemaLine = text.Split('\n')[0];
        Assert.Equal("# yaml-language-server: $schema=https://raw.githubusercontent.com/my-org/policy-response/89abcdef0123456789abcdef0123456789abcdef/docs/policy-response.schema.json", schemaLine);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "docs", "policy-response.schema.json")));

        var asWritten = ConfigLoader.Load(_repository.ConfigPath);
        Assert.All(asWritten.Levels.Values, actions => Assert.Empty(actions));

        // As written, the one live signal only shows (dry run), so a fresh repository evaluates to GREEN.
        var live = Assert.Single(asWritten.Signals);
        Assert.Equal(("failed_ci", true), (live.Id, live.DryRun));
        Assert.Equal(new PolicyAction.Orchestrator.GitHubSource(PolicyAction.Orchestrator.GitHubQuery.WorkflowRuns, "ci.yml", TimeSpan.FromHours(24)), live.Source);
        Assert.Equal(PolicyAction.Orchestrator.EvaluationSettings.Default, asWritten.Evaluation);

        _repository.WithConfig(CommentedExample().Replace(text, "$1$2"));
        var uncommented = ConfigLoader.Load(_repository.ConfigPath);
        Assert.Equal(["integrity_check", "schema_validation"], uncommented.Levels[PolicyLevel.Yellow].Select(a => a.Id));
        Assert.Equal(["full_integrity_check", "cold_storage_verification", "integrity_anchor_mirror"], uncommented.Levels[PolicyLevel.Red].Select(a => a.Id));
        Assert.Equal(["mirrors/anchor_chain.json"], uncommented.Levels[PolicyLevel.Red][2].ReversiblePaths);

        // The example integrity checks as signals, with the seed's commands, and a GitHub one that needs a permission.
        Assert.Equal(["failed_ci", "integrity_manifest", "anchor_chain_present", "anchor_chain_age", "dependabot_high"], uncommented.Signals.Select(s => s.Id));
        var manifest = Assert.IsType<PolicyAction.Orchestrator.CommandSource>(uncommented.Signals[1].Source);
        Assert.Equal(["/usr/bin/sha256sum", "--quiet", "-c", "manifest.sha256"], manifest.Run);
        Assert.Equal(("!= 0", null), (uncommented.Signals[1].Red?.Text, uncommented.Signals[1].Yellow));
        Assert.Equal(["/usr/bin/test", "-s", "anchors/anchor_chain.json"], Assert.IsType<PolicyAction.Orchestrator.CommandSource>(uncommented.Signals[2].Source).Run);
        Assert.Equal("!= 0", uncommented.Signals[2].Yellow?.Text);
        Assert.Equal(PolicyAction.Orchestrator.FileMeasure.Age, Assert.IsType<PolicyAction.Orchestrator.FileSource>(uncommented.Signals[3].Source).Measure);
        Assert.Equal(PolicyAction.Orchestrator.GitHubQuery.DependabotAlerts, Assert.IsType<PolicyAction.Orchestrator.GitHubSource>(uncommented.Signals[4].Source).Query);
        Assert.False(uncommented.Signals[4].DryRun);
    }

    [Fact]
    public async Task It_refuses_to_overwrite_a_workflow_that_differs_and_then_writes_nothing()
    {
        _repository.WithConfig(TempWorkspace.MinimalConfig).Write(".github/workflows/policy_control.yml", "name: ours\n");

        var init = await Init();

        Assert.Equal(2, init.ExitCode);
        Assert.Contains("init would overwrite .github/workflows/policy_control.yml; nothing was written", init.Stderr, StringComparison.Ordinal);
        Assert.Contains("--force", init.Stderr, StringComparison.Ordinal);
        Assert.Equal(TempWorkspace.MinimalConfig, _repository.Read(".github/policy-response.yml"));
        Assert.Equal([".github/policy-response.yml", ".github/workflows/policy_control.yml"], Files());
    }

    [Fact]
    public async Task An_edited_configuration_never_stops_a_plain_init_it_is_kept_and_missing_files_are_written()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var config = _repository.Read(".github/policy-response.yml").Replace("  RED:\n", "  RED:\n    - id: page_oncall\n      run: [\"/bin/echo\", \"paging\"]\n", StringComparison.Ordinal);
        _repository.WithConfig(config);
        File.Delete(_repository.PathOf(".github/workflows/policy_control.yml"));

        var again = await Init();

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("kept      .github/policy-response.yml (yours; it differs from init's)", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("created   .github/workflows/policy_control.yml", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(config, _repository.Read(".github/policy-response.yml"));
        Assert.Equal(Created.Order(StringComparer.Ordinal), Files().Where(f => f != "state/.policy-response.lock"));

        // Pinning twice: the second run finds the configuration's lines already naming the reference and says so.
        Assert.Equal(0, (await Init("--action", ReleasePin)).ExitCode);
        var twice = await Init("--action", ReleasePin);
        Assert.True(twice.ExitCode == 0, twice.ToString());
        Assert.Contains($"unchanged .github/policy-response.yml (yours; its schema and documentation lines already name {ReleasePin})", twice.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pinning_leaves_another_repository_named_in_a_teams_comment_and_its_uses_lines_alone()
    {
        const string Deploy = "      - uses: acme/deploy-kit@v3 # our deploy helper";
        const string Comment = "# deploy tool options: https://github.com/acme/deploy-kit/blob/main/docs/configuration.md";
        Assert.Equal(0, (await Init()).ExitCode);
        var config = _repository.Read(".github/policy-response.yml") + Comment + "\n";
        _repository.WithConfig(config);
        var runner = _repository.Read(".github/workflows/policy_response_runner.yml").Replace("      - name: Policy response\n", $"{Deploy}\n      - name: Policy response\n", StringComparison.Ordinal);
        _repository.Write(".github/workflows/policy_response_runner.yml", runner);

        var pin = await Init("--action", "someorg/policy-response@1111111111111111111111111111111111111111");

        Assert.True(pin.ExitCode == 0, pin.ToString());
        var after = _repository.Read(".github/workflows/policy_response_runner.yml");
        Assert.Contains(Deploy + "\n", after, StringComparison.Ordinal);
        Assert.Contains("uses: someorg/policy-response@1111111111111111111111111111111111111111 # pinned by init\n", after, StringComparison.Ordinal);
        Assert.Single(after.Split('\n'), l => l.Contains("someorg/", StringComparison.Ordinal));
        Assert.EndsWith("\n" + Comment + "\n", _repository.Read(".github/policy-response.yml"), StringComparison.Ordinal);
        Assert.Contains("pinned    .github/policy-response.yml (lines 1, 3 now someorg/policy-response@1111111111111111111111111111111111111111; everything else kept)", pin.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pinning_keeps_a_teams_comment_on_the_uses_line_and_reports_the_sub_path()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var runner = _repository.Read(".github/workflows/policy_response_runner.yml").Replace("uses: org/policy-response@v2\n", "uses: org/policy-response/host@v2 # approved SEC-123\n", StringComparison.Ordinal);
        _repository.Write(".github/workflows/policy_response_runner.yml", runner);

        var pin = await Init("--action", ReleasePin);

        Assert.True(pin.ExitCode == 0, pin.ToString());
        Assert.Contains("uses: my-org/policy-response/host@89abcdef0123456789abcdef0123456789abcdef # approved SEC-123\n", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
        Assert.Matches(@"pinned    \.github/workflows/policy_response_runner\.yml \(line \d+ now my-org/policy-response/host@89abcdef0123456789abcdef0123456789abcdef; everything else kept\)", pin.Stdout);
    }

    [Fact]
    public async Task Force_without_the_schema_line_keeps_the_workflows_reference_and_host_mode_and_saves_what_it_replaces()
    {
        const string Pin = "someorg/policy-response@1111111111111111111111111111111111111111";
        Assert.Equal(0, (await Init("--action", Pin)).ExitCode);
        _repository.WithConfig(string.Join('\n', _repository.Read(".github/policy-response.yml").Split('\n').Where(l => !l.Contains("$schema=", StringComparison.Ordinal))));
        var runner = _repository.Read(".github/workflows/policy_response_runner.yml").Replace($"uses: {Pin}", "uses: someorg/policy-response/host@1111111111111111111111111111111111111111", StringComparison.Ordinal) + "# the team's line\n";
        _repository.Write(".github/workflows/policy_response_runner.yml", runner);

        var forced = await Init("--force");

        Assert.True(forced.ExitCode == 0, forced.ToString());
        var after = _repository.Read(".github/workflows/policy_response_runner.yml");
        Assert.Contains("uses: someorg/policy-response/host@1111111111111111111111111111111111111111 # pinned by init\n", after, StringComparison.Ordinal);
        Assert.DoesNotContain("# the team's line", after, StringComparison.Ordinal);
        Assert.Contains($"uses: {Pin} # pinned by init\n", _repository.Read(".github/workflows/policy_control.yml"), StringComparison.Ordinal);
        var backup = Assert.Single(Files(), f => f.StartsWith(".github/policy-response-init-backup/policy_response_runner.yml.", StringComparison.Ordinal) && f.EndsWith(".orig", StringComparison.Ordinal));
        Assert.Equal(runner, _repository.Read(backup));
        Assert.Contains($"overwrote .github/workflows/policy_response_runner.yml (your version saved as {backup})", forced.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Files(), f => f.StartsWith(".github/workflows/", StringComparison.Ordinal) && !f.EndsWith(".yml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Workflows_that_use_different_references_of_the_action_stop_init_without_action()
    {
        Assert.Equal(0, (await Init("--action", ReleasePin)).ExitCode);
        _repository.Write(".github/workflows/policy_control.yml", _repository.Read(".github/workflows/policy_control.yml").Replace(ReleasePin, "my-org/policy-response@v2.3.1", StringComparison.Ordinal));
        var before = Files().ToDictionary(f => f, f => _repository.Read(f));

        var forced = await Init("--force");

        Assert.Equal(2, forced.ExitCode);
        Assert.Contains("the workflows use different references of this action", forced.Stderr, StringComparison.Ordinal);
        Assert.Contains("my-org/policy-response@v2.3.1 in .github/workflows/policy_control.yml", forced.Stderr, StringComparison.Ordinal);
        Assert.All(before, file => Assert.Equal(file.Value, _repository.Read(file.Key)));
    }

    [Fact]
    public async Task Force_replaces_workflows_but_never_the_configuration_or_state()
    {
        _repository.WithConfig(TempWorkspace.MinimalConfig)
            .Write(".github/workflows/policy_response_runner.yml", "name: old\n")
            .Write("state/trust_lock_state.json", """{"locked": true, "lock_id": "L-1", "reason": "incident", "unlocks": []}""")
            .Write("state/policy_state.json", """{"level": "RED"}""");

        var init = await Init("--force");

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Contains("kept      .github/policy-response.yml (yours; it differs from init's)", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("--force does not replace .github/policy-response.yml", init.Stderr, StringComparison.Ordinal);
        Assert.Contains("overwrote .github/workflows/policy_response_runner.yml", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("kept      state/trust_lock_state.json", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("kept      state/policy_state.json", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"lock_id\": \"L-1\"", _repository.Read("state/trust_lock_state.json"), StringComparison.Ordinal);
        Assert.Equal("""{"level": "RED"}""", _repository.Read("state/policy_state.json"));
        Assert.Equal(TempWorkspace.MinimalConfig, _repository.Read(".github/policy-response.yml"));
        Assert.Contains("name: policy_response_runner", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pinning_a_scaffolded_repository_keeps_the_teams_edits_and_changes_only_the_lines_naming_the_action()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var config = _repository.Read(".github/policy-response.yml").Replace(
            "  RED:\n",
            "  RED:\n    - id: page_oncall\n      run: [\"/bin/echo\", \"paging\"]\n",
            StringComparison.Ordinal) + "# our note\n";
        _repository.WithConfig(config);
        Assert.Equal(["page_oncall"], ConfigLoader.Load(_repository.ConfigPath).Levels[PolicyLevel.Red].Select(a => a.Id));
        var runner = _repository.Read(".github/workflows/policy_response_runner.yml").Replace("jobs:\n", "# edited by the team\njobs:\n", StringComparison.Ordinal);
        _repository.Write(".github/workflows/policy_response_runner.yml", runner);
        // A team that computes the level its own way: the workflow no longer names the action.
        const string orchestration = "name: policy_orchestration\non:\n  workflow_dispatch:\npermissions: {}\njobs:\n  level:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./compute-level.sh\n";
        _repository.Write(".github/workflows/policy_orchestration.yml", orchestration);
        var before = Files().ToDictionary(f => f, f => _repository.Read(f));

        var pin = await Init("--action", ReleasePin);

        Assert.True(pin.ExitCode == 0, pin.ToString());
        // The added action survives, and loads.
        Assert.Equal(["page_oncall"], ConfigLoader.Load(_repository.ConfigPath).Levels[PolicyLevel.Red].Select(a => a.Id));
        // Only the lines that name the action changed, each to the reference given; every other line is byte for byte the team's.
        foreach (var (file, old) in before)
        {
            var now = _repository.Read(file);
            var oldLines = old.Split('\n');
            var newLines = now.Split('\n');
            Assert.Equal(oldLines.Length, newLines.Length);
            for (var i = 0; i < oldLines.Length; i++)
            {
                if (oldLines[i] == newLines[i])
                {
                    continue;
                }

                Assert.True(
                    oldLines[i].Trim() == "uses: org/policy-response@v2" && newLines[i].Trim() == $"uses: {ReleasePin} # pinned by init"
                    || oldLines[i].Contains("org/policy-response/v2/docs/", StringComparison.Ordinal) && newLines[i] == oldLines[i].Replace("org/policy-response/v2/", "my-org/policy-response/89abcdef0123456789abcdef0123456789abcdef/", StringComparison.Ordinal)
                    || oldLines[i].Contains("org/policy-response/blob/v2/docs/", StringComparison.Ordinal) && newLines[i] == oldLines[i].Replace("org/policy-response/blob/v2/", "my-org/policy-response/blob/89abcdef0123456789abcdef0123456789abcdef/", StringComparison.Ordinal),
                    $"{file}:{i + 1} changed from '{oldLines[i]}' to '{newLines[i]}'");
            }
        }

        Assert.Contains($"uses: {ReleasePin} # pinned by init", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
        Assert.Contains($"uses: {ReleasePin} # pinned by init", _repository.Read(".github/workflows/policy_orchestration_alerts.yml"), StringComparison.Ordinal);
        Assert.Equal(orchestration, _repository.Read(".github/workflows/policy_orchestration.yml"));
        Assert.Contains($"pinned    .github/policy-response.yml (lines 1, 3 now {ReleasePin}; everything else kept)", pin.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"pinned    \.github/workflows/policy_response_runner\.yml \(line \d+ now {Regex.Escape(ReleasePin)}; everything else kept\)", pin.Stdout);
        Assert.Contains("kept      .github/workflows/policy_orchestration.yml (yours; no uses: line of this action to pin", pin.Stdout, StringComparison.Ordinal);
        Assert.Contains("pinned    .github/workflows/policy_orchestration_alerts.yml", pin.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_given_is_stated_as_it_is_and_pinning_again_moves_to_the_commit()
    {
        Assert.Equal(0, (await Init()).ExitCode);

        Assert.Equal(0, (await Init("--action", "my-org/policy-response@v2.3.1")).ExitCode);
        Assert.Contains("uses: my-org/policy-response@v2.3.1\n", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);

        var again = await Init("--action", ReleasePin);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"uses: {ReleasePin} # pinned by init\n", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
        Assert.DoesNotContain("# v2", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_action_a_later_init_keeps_the_pin_force_included()
    {
        Assert.Equal(0, (await Init("--action", ReleasePin)).ExitCode);

        var again = await Init();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("unchanged .github/workflows/policy_response_runner.yml", again.Stdout, StringComparison.Ordinal);

        _repository.Write(".github/workflows/policy_response_runner.yml", "name: broken\n");
        var forced = await Init("--force");

        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains($"uses: {ReleasePin} # pinned by init\n", _repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
        Assert.DoesNotContain("tag that can move", forced.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_next_steps_it_prints_work_in_the_order_given()
    {
        var init = await Init();
        Assert.True(init.ExitCode == 0, init.ToString());
        var steps = NextStep().Matches(init.Stdout).Select(m => m.Groups[1].Value).ToArray();
        Assert.Contains("Add your actions", steps[0], StringComparison.Ordinal);

        // 1. Add an action (an example uncommented), then preview as the step says.
        _repository.WithConfig(CommentedExample().Replace(_repository.Read(".github/policy-response.yml"), "$1$2"));
        var preview = await ProcessCli.RunAsync(_repository, PolicyAction.Tests.Documentation.Shell.Words(Command(steps[0], "policy-response respond")).ToArray()[1..]);
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Contains("integrity_anchor_mirror", preview.Stdout, StringComparison.Ordinal);
        var edited = _repository.Read(".github/policy-response.yml");

        // The pin step, as printed, with a release's commit: the edited configuration survives it.
        var pinStep = steps.Single(s => s.Contains("pin a release's commit SHA", StringComparison.Ordinal));
        var pinCommand = Command(pinStep, "policy-response init").Replace("OWNER/REPO@SHA", ReleasePin, StringComparison.Ordinal);
        var pin = await ProcessCli.RunAsync(_repository, PolicyAction.Tests.Documentation.Shell.Words(pinCommand).ToArray()[1..]);
        Assert.True(pin.ExitCode == 0, pin.ToString());
        Assert.Equal(
            edited.Replace("org/policy-response/v2/", "my-org/policy-response/89abcdef0123456789abcdef0123456789abcdef/", StringComparison.Ordinal).Replace("org/policy-response/blob/v2/", "my-org/policy-response/blob/89abcdef0123456789abcdef0123456789abcdef/", StringComparison.Ordinal),
            _repository.Read(".github/policy-response.yml"));
        Assert.Equal(["full_integrity_check", "cold_storage_verification", "integrity_anchor_mirror"], ConfigLoader.Load(_repository.ConfigPath).Levels[PolicyLevel.Red].Select(a => a.Id));

        // The last step commits what the steps made (the push needs a remote, so it stops at the commit).
        var commit = Command(steps[^1], "git add").Split(" && git push", 2)[0];
        Assert.Equal(0, Git("init", "-q"));
        Assert.Equal(0, Run(_repository.Root, "bash", ["-e", "-c", commit], ("GIT_AUTHOR_NAME", "t"), ("GIT_AUTHOR_EMAIL", "t@t"), ("GIT_COMMITTER_NAME", "t"), ("GIT_COMMITTER_EMAIL", "t@t")));
        Assert.Equal(0, Git("diff", "--quiet", "HEAD", "--", ".github"));
    }

    /// <summary>The command a step names, from its start to the end of the step or a closing parenthesis.</summary>
    private static string Command(string step, string start)
    {
        var at = step.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the step '{step}' does not name '{start}'");
        var command = step[at..];
        var end = command.IndexOf(" (", StringComparison.Ordinal);
        return (end < 0 ? command : command[..end]).TrimEnd(')', ' ');
    }

    [Fact]
    public async Task Running_it_again_changes_nothing_and_succeeds()
    {
        await Init();
        var before = Files().ToDictionary(f => f, f => _repository.ReadBytes(f));

        var again = await Init();

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("unchanged .github/policy-response.yml", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(before.Keys, Files().Where(f => f != "state/.policy-response.lock")); // the second run takes the lock; git ignores it
        Assert.All(before, file => Assert.Equal(file.Value, _repository.ReadBytes(file.Key)));
    }

    [Fact]
    public async Task With_the_teams_own_orchestration_the_runner_follows_it_and_no_orchestration_is_written()
    {
        const string name = "Nightly \"risk\" level: [all systems]";

        var init = await Init("--orchestration-workflow", name, "--action", ReleasePin);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.False(_repository.Exists(".github/workflows/policy_orchestration.yml"));
        var runner = LoadYaml(_repository.Read(".github/workflows/policy_response_runner.yml"));
        var on = (YamlMappingNode)runner["on"];
        var followed = (YamlSequenceNode)((YamlMappingNode)on["workflow_run"])["workflows"];
        Assert.Equal(name, ((YamlScalarNode)Assert.Single(followed.Children)).Value);
        var lint = await LintActions(Directory.GetFiles(_repository.PathOf(".github/workflows"), "*.yml"));
        Assert.True(lint.ExitCode == 0, lint.Output);
    }

    [Theory]
    [InlineData("--action", "policy-response")]
    [InlineData("--action", "org/policy-response")]
    [InlineData("--action", "org/policy-response@v2\n  run: id")]
    [InlineData("--action", "org/policy-response@v2 # x")]
    [InlineData("--action", "org/policy-response@../main")]
    [InlineData("--orchestration-workflow", "two\nlines")]
    [InlineData("--orchestration-workflow", " ")]
    [InlineData("--state-branch", "a..b")]
    [InlineData("--state-branch", "x\n::error::y")]
    [InlineData("--state-branch", "state-${{github.token}}")]
    public async Task Bad_options_stop_it_before_anything_is_written(string option, string value)
    {
        var init = await Init(option, value);

        Assert.Equal(2, init.ExitCode);
        Assert.Contains(option, init.Stderr, StringComparison.Ordinal);
        Assert.Empty(Files());
    }

    [Fact]
    public void The_embedded_workflows_are_the_ones_in_the_repository_apart_from_the_pin()
    {
        foreach (var name in new[] { "policy_orchestration.yml", "policy_response_runner.yml", "policy_orchestration_alerts.yml", "policy_control.yml" })
        {
            var shipped = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "workflows", name));
            var rendered = PolicyAction.Scaffolding.WorkflowTemplates.Render(name, PolicyAction.Scaffolding.ActionReference.Parse("org/policy-response@0123456789abcdef0123456789abcdef01234567", "test"), null);
            // The shipped placeholder says "# v2"; a commit init pins says who pinned it, as init cannot know its tag.
            Assert.Equal(shipped.Replace("01234567 # v2", "01234567 # pinned by init", StringComparison.Ordinal), rendered);
        }
    }

    [Fact]
    public async Task With_a_state_branch_every_workflow_commits_to_it_through_the_action()
    {
        var init = await Init("--state-branch", "policy-response-state", "--action", ReleasePin);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Contains("committed to the branch policy-response-state", init.Stdout, StringComparison.Ordinal);
        foreach (var name in new[] { "policy_orchestration.yml", "policy_response_runner.yml", "policy_orchestration_alerts.yml", "policy_control.yml" })
        {
            var workflow = LoadYaml(_repository.Read($".github/workflows/{name}"));
            var steps = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)workflow["jobs"]).Children.Values.Single())["steps"];
            var action = steps.Children.Cast<YamlMappingNode>().Single(step => step.Children.ContainsKey("uses") && ((YamlScalarNode)step["uses"]).Value!.StartsWith("my-org/", StringComparison.Ordinal));
            Assert.Equal("policy-response-state", ((YamlScalarNode)((YamlMappingNode)action["with"])["commit-branch"]).Value);
        }

        var lint = await LintActions(Directory.GetFiles(_repository.PathOf(".github/workflows"), "*.yml"));
        Assert.True(lint.ExitCode == 0, lint.Output);
    }

    private static int Run(string directory, string program, string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0 ? 0 : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result}{stderr.Result}");
    }

    private int Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _repository.Root, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // No git on this machine: the .gitignore's content is checked above.
        }
    }

    internal static async Task<(int ExitCode, string Output)> LintActions(IEnumerable<string> files)
    {
        var linter = Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "..", "shared", "tools", "actions-lint", "lint-actions"));
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(linter);
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static YamlMappingNode LoadYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [GeneratedRegex(@"^  \d+\. (.+)$", RegexOptions.Multiline)]
    private static partial Regex NextStep();

    [GeneratedRegex(@"^\s*(?:-\s*)?uses:\s*(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex UsesLines();

    // "    # - id: x" and "    #   run: [...]" lines under a level become "    - id: x" and "      run: [...]".
    [GeneratedRegex(@"^(\s+)# (- |  )", RegexOptions.Multiline)]
    private static partial Regex CommentedExample();
}
