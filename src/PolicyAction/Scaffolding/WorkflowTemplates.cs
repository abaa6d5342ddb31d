using System.Reflection;
using System.Text.Json;

namespace PolicyAction.Scaffolding;

/// <summary>
/// The workflows of <c>workflows/</c>, embedded in the tool at build time, adapted to a repository: its pin of
/// this action and, when the team already has one, the orchestration workflow the response runner follows.
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

    // The orchestration's commit of the level to the checked-out branch, replaced for a state branch.
    private const string WriteLevelStep = "      - name: Write state/policy_state.json\n";

    /// <param name="stateBranch">A branch of its own for the state (already checked), or null for the default branch.</param>
    public static string Render(string name, ActionReference action, string? orchestrationWorkflow, string? stateBranch = null)
    {
        var text = Embedded(name);
        if (stateBranch is not null)
        {
            text = ForStateBranch(text, name, $"\"{JsonEncodedText.Encode(stateBranch)}\"");
        }

        if (name != Orchestration)
        {
            text = Replace(text, PlaceholderPin, ActionPin.UsesValue(action), name);
        }

        if (name == ResponseRunner && orchestrationWorkflow is not null)
        {
            // A JSON-escaped string in double quotes is a YAML scalar: whatever the name holds stays data.
            text = Replace(text, FollowsOrchestration, $"workflows: [\"{JsonEncodedText.Encode(orchestrationWorkflow)}\"]", name);
        }

        return text;
    }

    /// <summary>
    /// The workflows for a state branch: the action steps commit to it (and read the state from it), and the
    /// orchestration pushes the level there, creating the branch from the checkout the first time and trying again
    /// when another run pushed first. <paramref name="quoted"/> is the name as a double-quoted YAML scalar.
    /// </summary>
    private static string ForStateBranch(string text, string name, string quoted)
    {
        if (name != Orchestration)
        {
            return Replace(text, TokenInput, $"{TokenInput}          commit-branch: {quoted}\n", name);
        }

        var start = text.IndexOf(WriteLevelStep, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"the embedded {name} no longer contains '{WriteLevelStep.Trim()}'");
        }

        return text[..start] + StateBranchStep(quoted);
    }

    // The step ends the file (it is the orchestration's last): everything from the old step on is replaced.
    private static string StateBranchStep(string quoted) => $$$"""
              - name: Write state/policy_state.json to the state branch
                env:
                  LEVEL: ${{ steps.level.outputs.level }}
                  STATE_BRANCH: {{{quoted}}}
                run: |
                  case "$LEVEL" in GREEN|YELLOW|RED) ;; *) echo "::error::unexpected level"; exit 1 ;; esac
                  git config user.name "github-actions[bot]"
                  git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
                  # The state lives on its own branch (the default branch may require pull requests). It is created
                  # from this checkout the first time; when another run pushed first, fetch and write again.
                  for attempt in 1 2 3 4 5; do
                    if git fetch --depth=1 origin "refs/heads/$STATE_BRANCH"; then
                      git checkout -f -B "$STATE_BRANCH" FETCH_HEAD
                    else
                      git checkout -f -B "$STATE_BRANCH"
                    fi
                    mkdir -p state
                    printf '{"level": "%s", "updated_at": "%s"}\n' "$LEVEL" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > state/policy_state.json
                    git add state/policy_state.json
                    git diff --cached --quiet || git commit -m "policy: level $LEVEL"
                    if git push origin "HEAD:refs/heads/$STATE_BRANCH"; then exit 0; fi
                    sleep $((attempt * 5))
                  done
                  echo "::error::could not push state/policy_state.json to $STATE_BRANCH"
                  exit 1

        """;

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
