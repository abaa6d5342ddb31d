using System.Reflection;
using System.Text.Json;

namespace PolicyAction.Scaffolding;

/// <summary>
/// The workflows of <c>workflows/</c>, embedded in the tool at build time, adapted to a repository: its pin of
/// this action, the branch the state lives on, and, when the team already has one, the orchestration workflow the
/// response runner follows.
/// </summary>
internal static class WorkflowTemplates
{
    public const string Orchestration = "policy_orchestration.yml";
    public const string Alerts = "policy_orchestration_alerts.yml";
    public const string ResponseRunner = "policy_response_runner.yml";
    public const string Control = "policy_control.yml";

    /// <summary>Every workflow init scaffolds, in the order it reports them; init pins each one's uses: lines of this action.</summary>
    public static readonly IReadOnlyList<string> Scaffolded = [Orchestration, ResponseRunner, Alerts, Control];

    // The placeholder pin in workflows/; a release's own pin replaces it.
    private const string PlaceholderPin = "org/policy-response@0123456789abcdef0123456789abcdef01234567 # v2";
    private const string FollowsOrchestration = "workflows: [policy_orchestration]";

    // Where the action steps get their token; a state branch's commit-branch goes after it.
    private const string TokenInput = "          github-token: ${{ github.token }}\n";

    /// <param name="stateBranch">A branch of its own for the state (already checked), or null for the default branch.</param>
    public static string Render(string name, ActionReference action, string? orchestrationWorkflow, string? stateBranch = null)
    {
        var text = Embedded(name);
        if (stateBranch is not null)
        {
            // Every workflow commits through the action, which reads the state from the branch and commits there.
            text = Replace(text, TokenInput, $"{TokenInput}          commit-branch: \"{JsonEncodedText.Encode(stateBranch)}\"\n", name);
        }

        text = Replace(text, PlaceholderPin, ActionPin.UsesValue(action), name);

        if (name == ResponseRunner && orchestrationWorkflow is not null)
        {
            // A JSON-escaped string in double quotes is a YAML scalar: whatever the name holds stays data.
            text = Replace(text, FollowsOrchestration, $"workflows: [\"{JsonEncodedText.Encode(orchestrationWorkflow)}\"]", name);
        }

        return text;
    }

    /// <summary>
    /// Checks a state branch's name for the workflows: a valid branch name, and no <c>${{</c>, which GitHub would
    /// evaluate as an expression where the name is written.
    /// </summary>
    public static string CheckStateBranch(string name) =>
        Forge.BranchName.Validate(name, "--state-branch") is var valid && valid.Contains(ExpressionOpener, StringComparison.Ordinal)
            ? throw new UsageException($"--state-branch '{name}' holds '{ExpressionOpener}', which GitHub evaluates as an expression in a workflow; choose another name")
            : valid;

    private const string ExpressionOpener = "${{";

    /// <summary>Checks a workflow name given on the command line: GitHub matches <c>workflow_run</c> by the workflow's name.</summary>
    public static string CheckOrchestrationName(string name) =>
        name.Trim().Length == 0 || name.Length > 200 || name.Any(char.IsControl)
            ? throw new UsageException($"--orchestration-workflow '{name}' is not a workflow name; give the 'name:' of the workflow that writes state/policy_state.json")
            : name;

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
