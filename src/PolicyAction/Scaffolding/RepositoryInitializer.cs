using System.Text;
using PolicyAction.Configuration;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Scaffolding;

/// <summary>What init may do with a file that already exists.</summary>
internal enum ScaffoldKind
{
    /// <summary>The configuration: the team's actions and settings, so never replaced; <c>--action</c> repins its reference lines.</summary>
    Configuration,

    /// <summary>A workflow: replaced only with <c>--force</c>; <c>--action</c> repins its <c>uses:</c> lines.</summary>
    Workflow,

    /// <summary>State: holds the team's history, so an existing file is kept even with <c>--force</c>.</summary>
    State,
}

internal sealed record ScaffoldFile(string RelativePath, byte[] Content, ScaffoldKind Kind);

/// <param name="StateBranch">A branch of its own for the state (commit-branch), or null for the default branch.</param>
/// <param name="ActionGiven">
/// Whether <c>--action</c> was given: only then are existing files repinned (without it, a pinned commit would be
/// pinned back to the default tag).
/// </param>
internal sealed record InitOptions(ActionReference Action, string? OrchestrationWorkflow, bool Force, string? StateBranch = null, bool ActionGiven = false);

/// <summary>
/// <c>policy-response init</c>: writes the configuration, the workflows and the state files a repository needs. A file
/// that exists and differs from what init writes is the team's: with <c>--action</c>, only the lines naming this
/// action are repinned (every other byte kept); <c>--force</c> replaces workflows, never the configuration or state;
/// with neither, init refuses and writes nothing.
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
            Setup(ConfigLoader.DefaultRelativePath, ConfigTemplate.Render(options.Action), ScaffoldKind.Configuration),
        };
        foreach (var name in WorkflowTemplates.Scaffolded)
        {
            if (name == WorkflowTemplates.Orchestration && options.OrchestrationWorkflow is not null)
            {
                continue; // The team's own workflow writes the level.
            }

            files.Add(Setup($"{WorkflowsFolder}/{name}", WorkflowTemplates.Render(name, options.Action, options.OrchestrationWorkflow, options.StateBranch), ScaffoldKind.Workflow));
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
        // Without --action, the workflows keep the reference init was given last (the configuration's schema line names
        // it), so a later init, --force included, never pins a commit back to the default tag.
        var configPath = Path.Combine(_paths.Root, ConfigLoader.DefaultRelativePath);
        if (!options.ActionGiven && File.Exists(configPath) && ActionPin.Previous(Text(ConfigLoader.DefaultRelativePath, File.ReadAllBytes(configPath), strict: false)) is { } previous)
        {
            options = options with { Action = previous };
        }

        var plan = Plan(options);
        var existing = plan.Where(f => Exists(f)).ToDictionary(f => f.RelativePath, f => File.ReadAllBytes(Full(f)));
        var differing = plan.Where(f => f.Kind != ScaffoldKind.State && existing.TryGetValue(f.RelativePath, out var now) && !now.AsSpan().SequenceEqual(f.Content)).ToArray();
        if (differing.Length > 0 && !options.Force && !options.ActionGiven)
        {
            throw new UsageException(
                $"init would overwrite {string.Join(", ", differing.Select(f => f.RelativePath))}; nothing was written. "
                + "To pin the action in them, run init --action OWNER/REPO@REF (it changes only the lines naming the action); "
                + "to replace the workflows with init's, run again with --force (a configuration and the state files are never replaced)");
        }

        // Decided for every file before any is written: a file that cannot be repinned stops init with nothing written.
        var configuration = options.ActionGiven && existing.TryGetValue(ConfigLoader.DefaultRelativePath, out var configBytes) ? Text(ConfigLoader.DefaultRelativePath, configBytes) : null;
        var names = ActionPin.Names(options.Action, configuration);
        var outcomes = plan.Select(file => Decide(file, existing.GetValueOrDefault(file.RelativePath), options, names)).ToArray();

        foreach (var (file, outcome) in plan.Zip(outcomes))
        {
            if (outcome.Content is { } content)
            {
                AtomicFile.WriteAllBytes(_paths.Root, Full(file), content);
            }

            _reporter.Line($"{outcome.Verb,-9} {file.RelativePath}{(outcome.Detail is { } detail ? $" ({detail})" : string.Empty)}");
        }

        if (outcomes.Any(o => o.KeptConfiguration))
        {
            _reporter.Warning($"--force does not replace {ConfigLoader.DefaultRelativePath}: it differs from init's and holds your actions and settings. To start again from init's, move it away and run init again");
        }

        _reporter.Text(NextSteps(options));
    }

    /// <summary>What happens to one file: written (Content), or left as it is, and the word init reports.</summary>
    private sealed record Outcome(string Verb, byte[]? Content = null, string? Detail = null, bool KeptConfiguration = false);

    private static Outcome Decide(ScaffoldFile file, byte[]? now, InitOptions options, IReadOnlySet<string> names)
    {
        if (now is null)
        {
            return new Outcome("created", file.Content);
        }

        if (file.Kind == ScaffoldKind.State)
        {
            return new Outcome("kept");
        }

        if (now.AsSpan().SequenceEqual(file.Content))
        {
            return new Outcome("unchanged");
        }

        if (file.Kind == ScaffoldKind.Workflow && options.Force)
        {
            return new Outcome("overwrote", file.Content);
        }

        // The team's file: with --action, only the lines naming this action change; without it (--force alone on the
        // configuration), nothing does.
        var keptConfiguration = file.Kind == ScaffoldKind.Configuration && options.Force;
        if (!options.ActionGiven)
        {
            return new Outcome("kept", Detail: "yours; it differs from init's", KeptConfiguration: keptConfiguration);
        }

        var text = Text(file.RelativePath, now);
        var pinned = file.Kind == ScaffoldKind.Configuration ? ActionPin.Configuration(text, options.Action) : ActionPin.Workflow(text, options.Action, names);
        if (pinned.ChangedLines.Count == 0)
        {
            var why = file.Kind == ScaffoldKind.Configuration
                ? "yours; no schema or documentation line naming the action to pin"
                : $"yours; no uses: line of this action to pin, or it already uses {options.Action}";
            return new Outcome("kept", Detail: why, KeptConfiguration: keptConfiguration);
        }

        return new Outcome(
            "pinned",
            Strict.GetBytes(pinned.Text),
            $"{(pinned.ChangedLines.Count == 1 ? "line" : "lines")} {string.Join(", ", pinned.ChangedLines)} now {options.Action}; everything else kept",
            keptConfiguration);
    }

    // Decoded and encoded without replacement characters, so every byte init does not rewrite comes back as it was.
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Text(string relativePath, byte[] bytes, bool strict = true)
    {
        if (!strict)
        {
            return Encoding.UTF8.GetString(bytes); // Only read, never written back.
        }

        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException($"{relativePath} is not UTF-8 text; init cannot repin it without changing other bytes. Nothing was written");
        }
    }

    private string Full(ScaffoldFile file) => Path.Combine(_paths.Root, file.RelativePath);

    private bool Exists(ScaffoldFile file)
    {
        var full = Full(file);
        return Directory.Exists(full)
            ? throw new UsageException($"{file.RelativePath} is a folder; init needs to write a file there")
            : File.Exists(full);
    }

    private static ScaffoldFile Setup(string relativePath, string text, ScaffoldKind kind) => new(relativePath, Encoding.UTF8.GetBytes(text), kind);

    private ScaffoldFile State(string fullPath, byte[] content) => new(_paths.Relative(fullPath), content, ScaffoldKind.State);

    private static string NextSteps(InitOptions options)
    {
        var steps = new List<string>
        {
            $"Add your actions to {ConfigLoader.DefaultRelativePath} (the example actions for YELLOW and RED are there as comments), then preview: policy-response respond --policy RED",
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
            steps.Add($"The workflows use {options.Action}, a tag that can move: pin a release's commit SHA with policy-response init --action OWNER/REPO@SHA (it changes only the lines naming the action, and keeps your edits)");
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
