using System.Text.RegularExpressions;
using PolicyAction.Alerts;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Documentation;

/// <summary>What README and docs/alerts.md say about which alerts open issues agrees with the rules' defaults.</summary>
public partial class AlertSeverityDocsTests
{
    private static string Read(string path) => File.ReadAllText(Path.Combine(RepositoryRoot.Path, path)).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string OneLine(string text) => Whitespace().Replace(text, " ");

    [Fact]
    public void The_severity_table_in_the_alerts_docs_is_the_defaults()
    {
        var docs = Read("docs/alerts.md");
        var section = docs[docs.IndexOf("## Severities and where alerts show", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var rows = section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToArray();

        var settings = AlertSettings.Default;
        var expected = AlertRules.All.Select(rule =>
        {
            var severity = rule.Defaults.Severity;
            return $"| `{rule.Id}` | {severity.ToName()} | {(severity >= settings.Issues.MinSeverity ? "yes" : "no")} | {(settings.FailOn is { } failOn && severity >= failOn ? "yes" : "no")} |";
        });
        Assert.Equal(expected, rows);
    }

    [Fact]
    public void The_readme_names_the_alerts_that_open_an_issue_by_default()
    {
        var minimum = AlertSettings.Default.Issues.MinSeverity;
        string Names(bool opens) => string.Join(", ", AlertRules.All.Where(r => r.Defaults.Severity >= minimum == opens).Select(r => AlertIssueText.Describe(r.Id)));

        var claim = $"Alerts at `{minimum.ToName()}` and above open a GitHub issue by default ({Names(true)}); the others ({Names(false)}) show in the job summary and as warnings on the run";
        Assert.Contains(claim, OneLine(Read("README.md")), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
