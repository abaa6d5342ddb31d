using System.Reflection;
using System.Text.Json;

namespace PolicyAction.Scaffolding;

/// <summary>
/// The three workflows of <c>workflows/</c>, embedded in the tool at build time, adapted to a repository: its pin of
/// this action and, when the team already has one, the orchestration workflow the response runner follows.
/// </summary>
internal static class WorkflowTemplates
{
    public const string Orchestration = "policy_orchestration.yml";
    public const string Alerts = "policy_orchestration_alerts.yml";
    public const string ResponseRunner = "policy_response_runner.yml";

    // The placeholder pin in workflows/; a release's own pin replaces it.
    private const string PlaceholderPin = "org/policy-response@0123456789abcdef0123456789abcdef01234567 # v2";
    private const string FollowsOrchestration = "workflows: [policy_orchestration]";

    public static string Render(string name, ActionReference action, string? orchestrationWorkflow)
    {
        var text = Embedded(name);
        if (name != Orchestration)
        {
            var pin = action.IsCommitPin ? $"{action} # {Major()}" : action.ToString();
            text = Replace(text, PlaceholderPin, pin, name);
        }

        if (name == ResponseRunner && orchestrationWorkflow is not null)
        {
            // A JSON-escaped string in double quotes is a YAML scalar: whatever the name holds stays data.
            text = Replace(text, FollowsOrchestration, $"workflows: [\"{JsonEncodedText.Encode(orchestrationWorkflow)}\"]", name);
        }

        return text;
    }

    /// <summary>Checks a workflow name given on the command line: GitHub matches <c>workflow_run</c> by the workflow's name.</summary>
    public static string CheckOrchestrationName(string name) =>
        name.Trim().Length == 0 || name.Length > 200 || name.Any(char.IsControl)
            ? throw new UsageException($"--orchestration-workflow '{name}' is not a workflow name; give the 'name:' of the workflow that writes state/policy_state.json")
            : name;

    private static string Major() => $"v{typeof(WorkflowTemplates).Assembly.GetName().Version?.Major ?? 2}";

    private static string Replace(string text, string placeholder, string value, string name) =>
        text.Contains(placeholder, StringComparison.Ordinal)
            ? text.Replace(placeholder, value, StringComparison.Ordinal)
            : throw new InvalidOperationException($"the embedded {name} no longer contains '{placeholder}'");

    private static string Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"workflows/{name}")
            ?? throw new InvalidOperationException($"workflows/{name} is not embedded in the tool");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
