using System.Text.Json;
using System.Text.RegularExpressions;
using PolicyAction.Alerts;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Documentation;

/// <summary>docs/alerts.md describes the files the checker writes exactly: no field the docs leave out, none they promise missing.</summary>
public partial class AlertsDocsTests
{
    private static readonly DateTimeOffset At = CliHarness.Now;

    /// <summary>The field names in the docs' row for a file: every code span that is a snake_case name.</summary>
    private static string[] DocumentedFields(string file)
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "alerts.md"));
        var row = docs.Split('\n').Single(line => line.StartsWith($"| `{file}` |", StringComparison.Ordinal));
        return CodeSpan().Matches(row[$"| `{file}` |".Length..]).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    private static IEnumerable<string> Names(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Names(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Names),
        _ => [],
    };

    [Fact]
    public void The_alert_report_holds_exactly_the_documented_fields()
    {
        var report = new AlertReport
        {
            EvaluatedAt = At,
            Alerts =
            [
                new AlertStatus
                {
                    Id = AlertIds.ActionFailures,
                    Severity = "medium",
                    Evaluated = true,
                    Firing = true,
                    Observed = "3 consecutive response(s) with a failed action",
                    Threshold = "> 2",
                    Since = At,
                    Silenced = true,
                    SilenceReason = "maintenance",
                    SilencedUntil = At,
                    Inhibited = true,
                    InhibitedBy = AlertIds.BrakeEngaged,
                    Fingerprint = AlertStatus.FingerprintOf(AlertIds.ActionFailures),
                    Evidence = [new AlertEvidence(At, "RED response failed", "https://github.com/octo-org/octo-repo/actions/runs/1")],
                    IssueNumber = 7,
                    IssueUrl = "https://github.com/o/r/issues/7",
                    LastNotifiedAt = At,
                    ResolvedAt = At,
                    FixBranch = "fix/policy-response/0123456789abcdef",
                },
            ],
            FixBranchesSeen = [new FixBranch("fix/a", At)],
        };

        using var written = JsonDocument.Parse(JsonSerializer.Serialize(report, AlertJsonContext.Default.AlertReport));

        Assert.Equal(DocumentedFields("reports/policy_orchestration_alerts.json"), Names(written.RootElement).Distinct().Order(StringComparer.Ordinal));
    }

    [GeneratedRegex("`([a-z]+(?:_[a-z]+)*)`")]
    private static partial Regex CodeSpan();
}
