using System.Text;
using PolicyAction.Configuration;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Scaffolding;

/// <summary>What init may do with a file that already exists.</summary>
internal enum ScaffoldKind
{
    /// <summary>Configuration and workflows: replaced only with <c>--force</c>.</summary>
    Setup,

    /// <summary>State: holds the team's history, so an existing file is kept even with <c>--force</c>.</summary>
    State,
}

internal sealed record ScaffoldFile(string RelativePath, byte[] Content, ScaffoldKind Kind);

/// <param name="StateBranch">A branch of its own for the state (commit-branch), or null for the default branch.</param>
internal sealed record InitOptions(ActionReference Action, string? OrchestrationWorkflow, bool Force, string? StateBranch = null);

/// <summary>
/// <c>policy-response init</c>: writes the configuration, the workflows and the state files a repository needs, all or
/// nothing: if a file it would replace differs and <c>--force</c> was not given, it writes none of them.
/// </summary>
internal sealed class RepositoryInitializer
{
    public const string WorkflowsFolder = ".github/workflows";

    private readonly WorkspacePaths _paths;
    private readonly TimeProvider _clock;
    private readonly Reporter _reporter;

    public RepositoryInitializer(WorkspacePaths paths, TimeProvider clock, Reporter reporter)
    {
        _paths = paths;
        _clock = clock;
        _reporter = reporter;
    }

    /// <summary>The files init writes for these options, in the order it reports them.</summary>
    public IReadOnlyList<ScaffoldFile> Plan(InitOptions options)
    {
        var files = new List<ScaffoldFile>
        {
            Setup(ConfigLoader.DefaultRelativePath, ConfigTemplate.Render(options.Action)),
        };
        foreach (var name in new[] { WorkflowTemplates.Orchestration, WorkflowTemplates.ResponseRunner, WorkflowTemplates.Alerts, WorkflowTemplates.Control })
        {
            if (name == WorkflowTemplates.Orchestration && options.OrchestrationWorkflow is not null)
            {
                continue; // The team's own workflow writes the level.
            }

            files.Add(Setup($"{WorkflowsFolder}/{name}", WorkflowTemplates.Render(name, options.Action, options.OrchestrationWorkflow, options.StateBranch)));
        }

        // GREEN until the orchestration writes the first level: a no-op, so a dry run works at once.
        files.Add(State(_paths.PolicyState, JsonStateFile.Serialize(new PolicyStateFile { Level = "GREEN", UpdatedAt = _clock.GetUtcNow() }, StateJsonContext.Default.PolicyStateFile)));
        files.Add(State(_paths.TrustLockState, JsonStateFile.Serialize(TrustLockState.Default, StateJsonContext.Default.TrustLockState)));
        files.Add(State(_paths.SafetyBrakeState, JsonStateFile.Serialize(SafetyBrakeState.Default, StateJsonContext.Default.SafetyBrakeState)));
        files.Add(new ScaffoldFile(
            _paths.Relative(Path.Combine(Path.GetDirectoryName(_paths.LockFile)!, ".gitignore")),
            Encoding.UTF8.GetBytes($"# Held while policy-response writes; never committed.{Environment.NewLine}{Path.GetFileName(_paths.LockFile)}{Environment.NewLine}"),
            ScaffoldKind.State));
        return files;
    }

    public void Run(InitOptions options)
    {
        var plan = Plan(options);
        var existing = plan.Where(f => Exists(f)).ToDictionary(f => f.RelativePath, f => File.ReadAllBytes(Full(f)));
        var differing = plan.Where(f => f.Kind == ScaffoldKind.Setup && existing.TryGetValue(f.RelativePath, out var now) && !now.AsSpan().SequenceEqual(f.Content)).ToArray();
        if (differing.Length > 0 && !options.Force)
        {
            throw new UsageException(
                $"init would overwrite {string.Join(", ", differing.Select(f => f.RelativePath))}; nothing was written. "
                + "Compare them with what init writes, or run again with --force to replace them (state files are never replaced)");
        }

        foreach (var file in plan)
        {
            var verb = !existing.TryGetValue(file.RelativePath, out var now) ? "created"
                : file.Kind == ScaffoldKind.State ? "kept"
                : now.AsSpan().SequenceEqual(file.Content) ? "unchanged"
                : "overwrote";
            if (verb is "created" or "overwrote")
            {
                AtomicFile.WriteAllBytes(_paths.Root, Full(file), file.Content);
            }

            _reporter.Line($"{verb,-9} {file.RelativePath}");
        }

        _reporter.Text(NextSteps(options));
    }

    private string Full(ScaffoldFile file) => Path.Combine(_paths.Root, file.RelativePath);

    private bool Exists(ScaffoldFile file)
    {
        var full = Full(file);
        return Directory.Exists(full)
            ? throw new UsageException($"{file.RelativePath} is a folder; init needs to write a file there")
            : File.Exists(full);
    }

    private static ScaffoldFile Setup(string relativePath, string text) => new(relativePath, Encoding.UTF8.GetBytes(text), ScaffoldKind.Setup);

    private ScaffoldFile State(string fullPath, byte[] content) => new(_paths.Relative(fullPath), content, ScaffoldKind.State);

    private static string NextSteps(InitOptions options)
    {
        var steps = new List<string>
        {
            $"Add your actions to {ConfigLoader.DefaultRelativePath} (the seed's YELLOW and RED actions are there as comments), then preview: policy-response respond --policy RED",
            options.OrchestrationWorkflow is null
                ? $"In {WorkflowsFolder}/{WorkflowTemplates.Orchestration}, replace the \"Compute the policy level\" step with your own evaluation"
                : $"Make sure the workflow \"{options.OrchestrationWorkflow}\" writes state/policy_state.json ({{\"level\": \"GREEN|YELLOW|RED\"}}) and commits it{(options.StateBranch is { } branch ? $" to the branch {branch}" : string.Empty)}",
            "In Settings > Environments, create \"policy-apply\" with required reviewers (the human sign-off for every apply, release and undo) and \"policy-preview\" and \"policy-control\" without",
            $"To engage the brake, lock the trust guard, undo or acknowledge, run {WorkflowsFolder}/{WorkflowTemplates.Control} from the Actions tab, the mobile app or gh (gh workflow run {WorkflowTemplates.Control} -f command=brake-engage -f reason=\"INC-42\"): it commits the change, which a local command does not",
            "The workflows grant their jobs contents: write and issues: write; if your organisation restricts the GITHUB_TOKEN, allow those for these workflows",
        };
        if (options.StateBranch is { } stateBranch)
        {
            steps.Add($"The state is committed to the branch {stateBranch} (created from the default branch by the first run that needs it); keep it out of branch protection and rulesets, or let the workflows' identity bypass them");
        }

        if (!options.Action.IsCommitPin)
        {
            steps.Add($"The workflows use {options.Action}, a tag that can move: pin a release's commit SHA (policy-response init --force --action OWNER/REPO@SHA)");
        }

        steps.Add("Commit and push: git add .github state forensics && git commit -m \"Add policy-response\" && git push");
        var text = new StringBuilder().AppendLine().AppendLine("Next:");
        for (var i = 0; i < steps.Count; i++)
        {
            text.AppendLine($"  {i + 1}. {steps[i]}");
        }

        return text.ToString();
    }
}
