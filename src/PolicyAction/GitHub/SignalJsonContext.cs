using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyAction.GitHub;

// The few fields the orchestrator's GitHub signals read from GitHub's answers, parsed by source generation
// (Octokit has no models for most of these, and its reflection-based serializer needs AOT directives per type).

internal sealed record WorkflowRunsPage(IReadOnlyList<WorkflowRunJson>? WorkflowRuns);

internal sealed record WorkflowRunJson(long Id, DateTimeOffset CreatedAt, string? Status, string? Conclusion, string? HeadBranch);

internal sealed record SeverityJson(string? Severity);

internal sealed record DependabotAlertJson(int Number, SeverityJson? SecurityAdvisory, SeverityJson? SecurityVulnerability);

internal sealed record CodeScanningRuleJson(string? Severity, string? SecuritySeverityLevel);

internal sealed record CodeScanningAlertJson(int Number, CodeScanningRuleJson? Rule);

internal sealed record SecretScanningAlertJson(int Number);

internal sealed record CheckRunsPage(IReadOnlyList<CheckRunJson>? CheckRuns);

internal sealed record CheckRunJson(string? Name, string? Status, string? Conclusion);

internal sealed record CombinedStatusJson(IReadOnlyList<StatusJson>? Statuses);

internal sealed record StatusJson(string? Context, string? State);

internal sealed record LabelJson(string? Name);

internal sealed record IssueJson(int Number, string? State, string? Body, string? HtmlUrl, DateTimeOffset? ClosedAt, DateTimeOffset UpdatedAt, IReadOnlyList<LabelJson>? Labels, JsonElement? PullRequest);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WorkflowRunsPage))]
[JsonSerializable(typeof(IReadOnlyList<DependabotAlertJson>))]
[JsonSerializable(typeof(IReadOnlyList<CodeScanningAlertJson>))]
[JsonSerializable(typeof(IReadOnlyList<SecretScanningAlertJson>))]
[JsonSerializable(typeof(CheckRunsPage))]
[JsonSerializable(typeof(CombinedStatusJson))]
[JsonSerializable(typeof(IReadOnlyList<IssueJson>))]
internal sealed partial class SignalJsonContext : JsonSerializerContext
{
}
