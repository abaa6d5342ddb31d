using PolicyAction.Configuration;
using PolicyAction.Orchestrator;

namespace PolicyAction.Tests.Configuration;

public class SignalsSectionTests
{
    private const string File = "/repo/.github/policy-response.yml";

    private static PolicyConfig Load(string signals) => ConfigLoader.Parse("version: 1\nlevels: {}\n" + signals, File);

    private static ConfigProblem Fails(string signals) =>
        Assert.Single(Assert.Throws<ConfigurationException>(() => Load(signals)).Problems);

    [Fact]
    public void Loads_one_signal_of_each_source_with_its_defaults()
    {
        var config = Load(
            """
            evaluation:
              on_unknown: ignore
              calm_for: 24h
            signals:
              - id: integrity_manifest
                command:
                  run: ["/usr/bin/sha256sum", "--quiet", "-c", "manifest.sha256"]
                red: "!= 0"
              - id: anchor_age
                file:
                  path: anchors/./anchor_chain.json
                  pointer: /updated_at
                  value: age
                yellow: "> 26h"
                red: "> 3d"
                for: 2
              - id: failed_ci
                github:
                  query: workflow_runs
                  workflow: ci.yml
                  measure: failure_ratio
                yellow: ">= 0.2"
                for: 6h
                dry_run: true
                on_unknown: red
              - id: incidents
                github: { query: issues, label: incident }
                red: exists
            """);

        Assert.Equal(new EvaluationSettings(UnknownPolicy.Ignore, new Persistence(null, TimeSpan.FromHours(24))), config.Evaluation);
        Assert.Equal(["integrity_manifest", "anchor_age", "failed_ci", "incidents"], config.Signals.Select(s => s.Id));

        var command = config.Signals[0];
        var source = Assert.IsType<CommandSource>(command.Source);
        Assert.Equal((CommandValue.ExitCode, 60), (source.Value, source.TimeoutSeconds));
        Assert.Equal(ConditionOperator.NotEqual, command.Red!.Operator);
        Assert.Null(command.Yellow);
        Assert.Equal(Persistence.Immediately, command.For);
        Assert.Null(command.OnUnknown);

        var file = config.Signals[1];
        Assert.Equal(new FileSource("anchors/anchor_chain.json", FileMeasure.Age, "/updated_at"), file.Source);
        Assert.Equal((ConditionOperator.Greater, 26 * 3600d), (file.Yellow!.Operator, file.Yellow.Operand));
        Assert.Equal(3 * 86400d, file.Red!.Operand);
        Assert.Equal(new Persistence(2, null), file.For);

        var ci = config.Signals[2];
        Assert.Equal(new GitHubSource(GitHubQuery.WorkflowRuns, "ci.yml", TimeSpan.FromHours(24), RunMeasure.FailureRatio), ci.Source);
        Assert.True(ci.DryRun);
        Assert.Equal(UnknownPolicy.Red, ci.OnUnknown);
        Assert.Equal(new Persistence(null, TimeSpan.FromHours(6)), ci.For);

        Assert.Equal(new GitHubSource(GitHubQuery.Issues, Label: "incident"), config.Signals[3].Source);
        Assert.Equal(ConditionOperator.Exists, config.Signals[3].Red!.Operator);
    }

    [Fact]
    public void Without_signals_the_level_is_given_and_the_defaults_hold()
    {
        var config = Load(string.Empty);
        Assert.Empty(config.Signals);
        Assert.Equal(EvaluationSettings.Default, config.Evaluation);
        Assert.Equal(new Persistence(2, null), config.Evaluation.CalmFor);
    }

    public static TheoryData<string, int, int, string, string> Mistakes => new()
    {
        // signals text, line, column (in the whole file: two lines come first), field, part of the message
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: \"=> 3\"\n", 6, 10, "signals[0].red", "'=> 3' is not a condition" },
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: \"> lots\"\n", 6, 10, "signals[0].red", "'lots' is not a number or a duration" },
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n", 4, 5, "signals[0]", "needs a 'yellow' or a 'red' condition" },
        { "signals:\n  - id: a\n    red: exists\n", 4, 5, "signals[0]", "needs a source: one of command, file or github" },
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    file: { path: x }\n    red: exists\n", 6, 5, "signals[0].file", "a signal has one source" },
        { "signals:\n  - id: a\n    command: { run: [\"bin/check\"] }\n    red: exists\n", 5, 22, "signals[0].command.run[0]", "is a relative path" },
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"], value: stdoot }\n    red: exists\n", 5, 43, "signals[0].command.value", "expected exit_code" },
        { "signals:\n  - id: a\n    file: { path: ../secrets.json }\n    red: exists\n", 5, 19, "signals[0].file.path", ".." },
        { "signals:\n  - id: a\n    file: { path: x.json, pointer: failed }\n    red: exists\n", 5, 36, "signals[0].file.pointer", "not a JSON pointer" },
        { "signals:\n  - id: a\n    github: { query: pull_requests }\n    red: exists\n", 5, 22, "signals[0].github.query", "expected one of workflow_runs" },
        { "signals:\n  - id: a\n    github: { query: workflow_runs }\n    red: exists\n", 5, 13, "signals[0].github", "needs 'workflow'" },
        { "signals:\n  - id: a\n    github: { query: issues, label: x, workflow: ci.yml }\n    red: exists\n", 5, 40, "signals[0].github.workflow", "does not apply to query issues; it takes label" },
        { "signals:\n  - id: a\n    github: { query: dependabot_alerts, min_severity: severe }\n    red: exists\n", 5, 55, "signals[0].github.min_severity", "expected low, medium, high or critical" },
        { "signals:\n  - id: a\n    github: { query: workflow_runs, workflow: ci.yml, window: a week }\n    red: exists\n", 5, 63, "signals[0].github.window", "is not a duration" },
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: exists\n    for: 0\n", 7, 10, "signals[0].for", "neither a number of evaluations" },
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: exists\n    on_unknown: green\n", 7, 17, "signals[0].on_unknown", "expected yellow" },
        { "signals:\n  - id: Bad Id\n    command: { run: [\"/bin/true\"] }\n    red: exists\n", 4, 9, "signals[0].id", "must be 1-64 characters" },
        { "signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: exists\n    treshold: 3\n", 7, 5, "signals[0].treshold", "unknown key 'treshold'; expected one of: id, description, command, file, github, yellow, red, for, dry_run, on_unknown" },
        { "evaluation:\n  calm_for: soon\n", 4, 13, "evaluation.calm_for", "'soon' is neither" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_is_named_with_file_line_column_and_field(string signals, int line, int column, string field, string message)
    {
        var problem = Fails(signals);
        Assert.Equal((field, line, column), (problem.Field, problem.Line ?? 0, problem.Column ?? 0));
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_signal_with_the_same_id_is_refused()
    {
        var problem = Fails("signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: exists\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: exists\n");
        Assert.Equal("signals[1].id", problem.Field);
        Assert.Contains("used by an earlier signal", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unquoted_greater_than_is_explained_not_passed_on_as_a_yaml_riddle()
    {
        // YAML reads "red: > 3" as a folded block: the condition arrives as text the tool cannot read, and says how to write it.
        var error = Assert.Throws<ConfigurationException>(() => Load("signals:\n  - id: a\n    command: { run: [\"/bin/true\"] }\n    red: > 3\n"));
        Assert.Contains("quote", error.Message, StringComparison.Ordinal);
        Assert.Contains(":6:", error.Message, StringComparison.Ordinal);
        Assert.Contains(File, error.Message, StringComparison.Ordinal);
    }
}
