using System.Reflection;
using System.Text.RegularExpressions;
using PolicyAction.Configuration;
using PolicyAction.Orchestrator;
using PolicyAction.State;
using PolicyAction.Tests.Support;
using YamlDotNet.Serialization;

namespace PolicyAction.Tests.Documentation;

/// <summary>docs/orchestrator.md moves with the code: every signal key and query, examples that load, and a timeline the evaluator agrees with.</summary>
public sealed partial class OrchestratorDocsTests
{
    private static string Page => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "orchestrator.md"));

    private static string[] KeysOf(Type type) =>
        type.GetProperties().Select(p => p.GetCustomAttribute<YamlMemberAttribute>()!.Alias!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Every_yaml_example_of_the_orchestrator_page_loads_with_the_real_loader()
    {
        var docs = Page;
        var loaded = 0;
        foreach (Match block in YamlBlock().Matches(docs))
        {
            var yaml = block.Groups[1].Value;
            if (!yaml.Contains("- id: ", StringComparison.Ordinal))
            {
                continue; // a workflow's permissions, not the configuration
            }

            // A whole configuration as it is; a list of signals as the entries of signals:.
            var text = yaml.StartsWith("version:", StringComparison.Ordinal) ? yaml : "version: 1\nlevels: {}\nsignals:\n" + yaml;
            using var workspace = new TempWorkspace();
            workspace.WithConfig(text);
            var config = ConfigLoader.Load(workspace.ConfigPath);
            Assert.Equal(Regex.Count(yaml, "- id: "), config.Signals.Count);
            loaded++;
        }

        Assert.True(loaded >= 4, $"only {loaded} examples found");
    }

    [Fact]
    public void Every_signal_key_and_github_query_is_documented_in_the_orchestrator_page()
    {
        var docs = Page;
        var assembly = typeof(ExitCodes).Assembly;
        foreach (var type in new[] { "EvaluationDocument", "SignalDocument", "CommandSignalDocument", "FileSignalDocument", "GitHubSignalDocument" })
        {
            foreach (var key in KeysOf(assembly.GetType($"PolicyAction.Configuration.{type}", throwOnError: true)!))
            {
                Assert.Contains($"| `{key}` |", docs, StringComparison.Ordinal);
            }
        }

        // Each query has a row naming its permission, and an example.
        foreach (var query in SignalsSection.QueryNames)
        {
            Assert.Contains($"| `{query}` |", docs, StringComparison.Ordinal);
            Assert.Contains($"query: {query}", docs, StringComparison.Ordinal);
        }

        Assert.Contains("docs/orchestrator.md", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")), StringComparison.Ordinal);
        Assert.Contains("(orchestrator.md", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "configuration.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_worked_timeline_is_what_the_evaluator_decides()
    {
        var section = Page[Page.IndexOf("A worked timeline", StringComparison.Ordinal)..];
        var signal = new SignalDefinition("failed_ci", null, new GitHubSource(GitHubQuery.WorkflowRuns, "ci.yml"), Condition.TryParse(">= 1", out _), Condition.TryParse("> 3", out _), Persistence.Immediately, false, null);
        Assert.Contains("`yellow: \">= 1\"`", section, StringComparison.Ordinal);
        Assert.Contains("`red: \"> 3\"`", section, StringComparison.Ordinal);
        var rows = TimelineRow().Matches(section).ToArray();
        Assert.True(rows.Length >= 5, $"only {rows.Length} rows in the timeline");

        PolicyLevel? level = null;
        EvaluationMemory? memory = null;
        var at = new DateTimeOffset(2026, 11, 2, 4, 45, 0, TimeSpan.Zero);
        foreach (var row in rows)
        {
            var decision = LevelEvaluator.Decide([(signal, SignalReading.Number(int.Parse(row.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture)))], EvaluationSettings.Default, level, memory, at);
            Assert.True(row.Groups["asks"].Value == decision.Candidate.ToName(), $"{row.Value}: the signal asks for {decision.Candidate.ToName()}");
            Assert.True(row.Groups["level"].Value == decision.Level.ToName(), $"{row.Value}: the evaluator decides {decision.Level.ToName()} ({decision.Why})");
            Assert.Equal(row.Groups["bold"].Success, level is not null && level != decision.Level);
            (level, memory, at) = (decision.Level, decision.Memory, at.AddDays(1));
        }
    }

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    // | Tue | 5 | RED | **RED** | rises at once |
    [GeneratedRegex(@"^\| (?<day>[A-Z][a-z]{2}) \| (?<failed>\d+) \| (?<asks>GREEN|YELLOW|RED) \| (?<bold>\*\*)?(?<level>GREEN|YELLOW|RED)(?:\*\*)? \|", RegexOptions.Multiline)]
    private static partial Regex TimelineRow();
}
