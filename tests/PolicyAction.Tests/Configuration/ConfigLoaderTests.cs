using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Configuration;

public class ConfigLoaderTests
{
    private const string File = "/repo/.github/policy-response.yml";

    private static ConfigurationException Fails(string yaml) =>
        Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse(yaml, File));

    [Fact]
    public void Loads_the_issue_example_with_defaults_filled_in()
    {
        var config = ConfigLoader.Parse(
            """
            version: 1
            gates:
              max_responses_per_24h: 10
              max_manual_unlocks_per_day: 3
            levels:
              YELLOW:
                - id: integrity_check
                  description: Verify the integrity manifest
                  run: ["/usr/bin/sha256sum", "-c", "manifest.sha256"]
                  timeout_seconds: 300
              RED:
                - id: integrity_anchor_mirror
                  run: ["/bin/cp", "anchors/anchor_chain.json", "mirrors/anchor_chain.json"]
                  reversible:
                    paths: ["mirrors/anchor_chain.json"]
                  undo_instruction: Restore mirrors/anchor_chain.json from the backup
            """,
            File);

        Assert.Equal(new GateLimits(10, 3), config.Gates);
        var yellow = Assert.Single(config.ActionsFor(PolicyLevel.Yellow));
        Assert.Equal(["/usr/bin/sha256sum", "-c", "manifest.sha256"], yellow.Run);
        Assert.False(yellow.IsReversible);
        var red = Assert.Single(config.ActionsFor(PolicyLevel.Red));
        Assert.Equal(["mirrors/anchor_chain.json"], red.ReversiblePaths);
        Assert.Equal(ActionDefinition.DefaultTimeoutSeconds, red.TimeoutSeconds);
        Assert.False(red.ContinueOnError);
        Assert.Empty(config.ActionsFor(PolicyLevel.Green));
    }

    [Fact]
    public void Gates_default_to_ten_responses_and_three_unlocks()
    {
        var config = ConfigLoader.Parse("version: 1\nlevels: {}\n", File);
        Assert.Equal(GateLimits.Default, config.Gates);
    }

    [Fact]
    public void The_bundled_example_workspace_config_is_valid()
    {
        var path = Path.Combine(RepositoryRoot.Path, "examples", "workspace", ".github", "policy-response.yml");
        var config = ConfigLoader.Load(path);
        Assert.Equal(3, config.ActionsFor(PolicyLevel.Red).Count);
    }

    // Each bad input, the line and column it must point at, and words the message must contain.
    public static TheoryData<string, int, int, string> BadConfigs => new()
    {
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      bogus: 1\n", 6, 7, "unknown key 'bogus'" },
        { "version: 1\nbogus: true\nlevels: {}\n", 2, 1, "unknown key 'bogus'" },
        { "version: 1\ngates:\n  max_responses: 3\nlevels: {}\n", 3, 3, "unknown key 'max_responses'" },
        { "version: abc\nlevels: {}\n", 1, 10, "version" },
        { "version: 1\ngates:\n  max_responses_per_24h: lots\nlevels: {}\n", 3, 26, "whole number" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: /bin/true\n", 5, 7, "list of strings" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      timeout_seconds: [1]\n", 6, 24, "timeout_seconds" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      continue_on_error: maybe\n", 6, 26, "true or false" },
        { "version: 1\nlevels:\n  ORANGE:\n    - id: x\n      run: [\"/bin/true\"]\n", 3, 3, "unknown level 'ORANGE'" },
        { "version: 1\nlevels:\n  red:\n    - id: x\n      run: [\"/bin/true\"]\n", 3, 3, "upper case" },
        { "version: 1\nlevels:\n  GREEN:\n    - id: x\n      run: [\"/bin/true\"]\n", 3, 3, "GREEN" },
        { "levels: {}\n", 1, 1, "version" },
        { "version: 2\nlevels: {}\n", 1, 10, "not supported" },
        { "version: 1\n", 1, 1, "levels" },
        { "version: 1\nlevels:\n  RED:\n    - run: [\"/bin/true\"]\n", 4, 7, "id" },
        { "version: 1\nlevels:\n  RED:\n    - id: Bad Id\n      run: [\"/bin/true\"]\n", 4, 11, "must be" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n    - id: x\n      run: [\"/bin/true\"]\n", 6, 11, "used twice" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n", 4, 7, "run" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: []\n", 5, 12, "run" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"scripts/fix.sh\"]\n", 5, 13, "relative path" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      timeout_seconds: 0\n", 6, 24, "between 1 and" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"../outside\"]\n", 7, 17, "outside the workspace" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"/etc/passwd\"]\n", 7, 17, "absolute" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\".git/config\"]\n", 7, 17, ".git" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"vendor/other/.git/config\"]\n", 7, 17, ".git" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"vendor/GIT~1/config\"]\n", 7, 17, ".git" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"state/policy_response_log.jsonl\"]\n", 7, 17, "tool's own state" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n        paths: [\"./Forensics/safety_brake_state.json\"]\n", 7, 17, "tool's own state" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible: {}\n", 6, 7, "paths" },
        { "version: 1\nversion: 1\nlevels: {}\n", 2, 1, "not valid YAML" },
        { "version: 1\nlevels: [\n", 3, 1, "not valid YAML" },
        { "- version: 1\n", 1, 1, "expected a mapping" },
        { "version: 1\ngates:\n  max_responses_per_24h: -1\nlevels: {}\n", 3, 26, "0 or more" },
        { "version: 1\nlevels: {}\nalerts:\n  fail_on: severe\n", 4, 12, "not a severity" },
        { "version: 1\nlevels:\n  RED:\n    - id: \"abc\\n\"\n      run: [\"/bin/true\"]\n", 4, 11, "must be" },
        { "version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n      reversible:\n", 6, 18, "reversible" },
        { "version: 1\nlevels: {}\nalerts:\n  rules:\n    red_flip: {}\n", 5, 5, "unknown alert 'red_flip'" },
        { "version: 1\nlevels: {}\nalerts:\n  rules:\n    brake_engaged:\n      longer_than: 4 hours\n", 6, 20, "not a duration" },
        { "version: 1\nlevels: {}\nalerts:\n  rules:\n    brake_engaged:\n      more_than: 2\n", 6, 7, "does not apply to brake_engaged" },
        { "version: 1\nlevels: {}\nalerts:\n  rules:\n    red_flips:\n      severity: urgent\n", 6, 17, "not a severity" },
        { "version: 1\nlevels: {}\nalerts:\n  issues:\n    labels: []\n", 5, 13, "at least one label" },
        { "version: 1\nlevels: {}\nalerts:\n  issues:\n    reopen_within: soon\n", 5, 20, "not a duration" },
        { "version: 1\nlevels: {}\nalerts:\n  silences:\n    - alert: blocked_streak\n      until: tomorrow\n      reason: x\n", 6, 14, "date and time" },
        { "version: 1\nlevels: {}\nalerts:\n  silences:\n    - alert: blocked_streak\n      until: 2026-12-01T00:00:00Z\n", 5, 7, "reason" },
        { "version: 1\nlevels: {}\nalerts:\n  bogus: 1\n", 4, 3, "unknown key 'bogus'" },
        { "version: 1\nlevels: {}\nalerts:\n  runbook_url: http://wiki.example/runbook\n", 4, 16, "is not an https URL without a #fragment" },
        { "version: 1\nlevels: {}\nalerts:\n  runbook_url: https://wiki.example/runbook#alerts\n", 4, 16, "is not an https URL without a #fragment" },
        { "version: 1\nlevels: {}\nalerts:\n  issues:\n    assignees: [alice, \"@bob\"]\n", 5, 24, "'@bob' is not a GitHub login" },
        { "version: 1\nlevels: " + new string('[', 100) + new string(']', 100) + "\n", 2, 72, "nested more than 64 deep" },
        { "version: 1\nlevels: &l {RED: *l}\n", 2, 18, "does not repeat a value anchored before it" },
        { YamlLimitsTests.BillionLaughs, 7, 8, "expand to more than 10000 values" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Rejects_bad_config_naming_file_line_and_column(string yaml, int line, int column, string words)
    {
        var error = Fails(yaml);

        var problem = Assert.Single(error.Problems);
        Assert.Equal(File, problem.File);
        Assert.Equal((line, column), (problem.Line, problem.Column));
        Assert.Contains(words, problem.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{File}:{line}:{column}", error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
    }

    [Fact]
    public void An_anchored_action_may_be_repeated_by_an_alias()
    {
        var config = ConfigLoader.Parse(
            """
            version: 1
            levels:
              YELLOW:
                - &check
                  id: integrity_check
                  run: ["/usr/bin/sha256sum", "-c", "manifest.sha256"]
              RED:
                - *check
                - id: mirror
                  run: ["/bin/true"]
            """,
            File);

        var red = config.ActionsFor(PolicyLevel.Red);
        Assert.Equal(["integrity_check", "mirror"], red.Select(a => a.Id));
        Assert.Equal(config.ActionsFor(PolicyLevel.Yellow)[0].Run, red[0].Run);
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var error = Fails("version: 1\nlevels:\n  RED:\n    - id: x\n    - id: y\n      run: [\"a/b\"]\n");
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("2 problems", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_says_what_it_expected()
    {
        var error = Fails("# nothing yet\n");
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_names_the_expected_path_and_how_to_create_it()
    {
        using var workspace = new TempWorkspace();
        var path = ConfigLoader.DefaultPath(workspace.Root);

        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Run 'policy-response init'", error.Message, StringComparison.Ordinal);
        Assert.Contains("--config", error.Message, StringComparison.Ordinal);

        // Paths in the tool's own repository would be a dead end in the user's.
        Assert.DoesNotContain("docs/", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("examples/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_not_garbage()
    {
        using var workspace = new TempWorkspace();
        workspace.WriteBytes(".github/policy-response.yml", [.. "version: 1\nlevels: {}\n# "u8, 0xC3, 0x28, (byte)'\n']);

        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Load(workspace.ConfigPath));

        Assert.Contains("policy-response.yml:3:3: is not valid UTF-8 text (byte 0xC3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alerts_default_to_the_seed_thresholds()
    {
        var alerts = ConfigLoader.Parse("version: 1\nlevels: {}\n", File).Alerts;

        Assert.Equal(Severity.High, alerts.FailOn);
        Assert.Equal((2, TimeSpan.FromHours(24), Severity.High), (alerts.Rules[AlertIds.RedFlips].MoreThan, alerts.Rules[AlertIds.RedFlips].Window, alerts.Rules[AlertIds.RedFlips].Severity));
        Assert.Equal((TimeSpan.FromHours(4), Severity.Critical), (alerts.Rules[AlertIds.BrakeEngaged].LongerThan, alerts.Rules[AlertIds.BrakeEngaged].Severity));
        Assert.Equal(3, alerts.Rules[AlertIds.BlockedStreak].MoreThan);
        Assert.Equal("fix/", alerts.Rules[AlertIds.FixBranches].Prefix);
        Assert.Equal((TimeSpan.FromHours(24), TimeSpan.FromDays(7), Severity.High), (alerts.Issues.RepeatInterval, alerts.Issues.ReopenWithin, alerts.Issues.MinSeverity));
    }

    [Fact]
    public void Alerts_settings_override_the_defaults()
    {
        var alerts = ConfigLoader.Parse(
            """
            version: 1
            levels: {}
            alerts:
              fail_on: none
              rules:
                brake_engaged: { longer_than: 90m, severity: high }
                fix_branches: { enabled: false }
              issues:
                labels: [ops, policy]
                assignees: [alice]
                repeat_interval: 12h
              silences:
                - alert: blocked_streak
                  until: "2026-12-01T00:00:00Z"
                  reason: maintenance window
            """,
            File).Alerts;

        Assert.Null(alerts.FailOn);
        Assert.Equal((TimeSpan.FromMinutes(90), Severity.High), (alerts.Rules[AlertIds.BrakeEngaged].LongerThan, alerts.Rules[AlertIds.BrakeEngaged].Severity));
        Assert.False(alerts.Rules[AlertIds.FixBranches].Enabled);
        Assert.Equal(["ops", "policy"], alerts.Issues.Labels);
        Assert.Equal(TimeSpan.FromHours(12), alerts.Issues.RepeatInterval);
        var silence = Assert.Single(alerts.Silences);
        Assert.Equal(("blocked_streak", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), "maintenance window"), (silence.Alert, silence.Until, silence.Reason));
    }
}
