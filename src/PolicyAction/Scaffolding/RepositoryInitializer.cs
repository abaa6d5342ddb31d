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
        // Which files exist does not depend on the action reference: read them once, before the reference is settled.
        var scaffolded = Plan(options);
        var existing = scaffolded.Where(f => Exists(f)).ToDictionary(f => f.RelativePath, f => File.ReadAllBytes(Full(f)));
        var configuration = existing.TryGetValue(ConfigLoader.DefaultRelativePath, out var configBytes) ? Text(ConfigLoader.DefaultRelativePath, configBytes, strict: false) : null;
        var workflows = scaffolded.Where(f => f.Kind == ScaffoldKind.Workflow && existing.ContainsKey(f.RelativePath))
            .ToDictionary(f => f.RelativePath, f => Text(f.RelativePath, existing[f.RelativePath], strict: false));
        if (!options.ActionGiven && PreviousReference(configuration, workflows) is { } previous)
        {
            options = options with { Action = previous };
        }

        var names = ActionPin.Names(options.Action, configuration);
        var plan = Plan(options).Select(file => KeepSubPaths(file, workflows.GetValueOrDefault(file.RelativePath), options.Action, names)).ToArray();

        // The configuration is the team's and never replaced, so it never stops init: it is kept, and a line says so.
        var differing = plan.Where(f => f.Kind == ScaffoldKind.Workflow && existing.TryGetValue(f.RelativePath, out var now) && !now.AsSpan().SequenceEqual(f.Content)).ToArray();
        if (differing.Length > 0 && !options.Force && !options.ActionGiven)
        {
            throw new UsageException(
                $"init would overwrite {string.Join(", ", differing.Select(f => f.RelativePath))}; nothing was written. "
                + "To pin the action in them, run init --action OWNER/REPO@REF (it changes only the lines naming the action); "
                + "to replace the workflows with init's, run again with --force (a configuration and the state files are never replaced)");
        }

        // Decided for every file before any is written: a file that cannot be repinned stops init with nothing written.
        var stamp = _clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var outcomes = plan.Select(file => Decide(file, existing.GetValueOrDefault(file.RelativePath), options, names, stamp)).ToArray();

        foreach (var (file, outcome) in plan.Zip(outcomes))
        {
            if (outcome.Backup is { } backup)
            {
                // The team's version first, so a failed write of init's leaves it in both places rather than neither.
                AtomicFile.WriteAllBytes(_paths.Root, Path.Combine(_paths.Root, backup), existing[file.RelativePath]);
            }

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

    /// <summary>Where <c>--force</c> saves a workflow it replaces: outside .github/workflows, so GitHub never runs the copy.</summary>
    public const string BackupFolder = ".github/policy-response-init-backup";

    /// <summary>
    /// The reference init was given the last time, so a later init without <c>--action</c> (<c>--force</c> included)
    /// never moves the workflows to another: what their <c>uses:</c> lines of this action name (what runs), else what
    /// the configuration's schema line names. A fork under another owner counts as this action here, as init replaces
    /// or compares whole files; references that disagree stop init, as it cannot know which one the team meant.
    /// </summary>
    private static ActionReference? PreviousReference(string? configuration, IReadOnlyDictionary<string, string> workflows)
    {
        var names = ActionPin.Names(ActionReference.Default, configuration);
        var uses = workflows.SelectMany(w => ActionPin.Uses(w.Value, names, ActionReference.Default.Repository).Select(u => (File: w.Key, u.Reference))).ToArray();
        var distinct = uses.DistinctBy(u => Key(u.Reference)).ToArray();
        return distinct.Length switch
        {
            0 => configuration is null ? null : ActionPin.Previous(configuration),
            1 => distinct[0].Reference,
            _ => throw new UsageException(
                $"the workflows use different references of this action ({string.Join(", ", distinct.Select(u => $"{u.Reference} in {u.File}"))}); "
                + "init cannot tell which one to keep. Nothing was written. Run init --action OWNER/REPO@REF to pin them all to one"),
        };
    }

    // References compared as GitHub does: owner and repository without case, the ref with it.
    private static string Key(ActionReference reference) => $"{reference.Owner.ToLowerInvariant()}/{reference.Repository.ToLowerInvariant()}@{reference.Ref}";

    /// <summary>
    /// Init's workflow with the sub-paths (<c>/host</c>) the team's version of it gives this action's <c>uses:</c>
    /// lines, so comparing or replacing it never moves a step back to container mode.
    /// </summary>
    private static ScaffoldFile KeepSubPaths(ScaffoldFile file, string? now, ActionReference action, IReadOnlySet<string> names)
    {
        if (file.Kind != ScaffoldKind.Workflow || now is null)
        {
            return file;
        }

        var subPaths = ActionPin.Uses(now, names, ActionReference.Default.Repository).Select(u => u.SubPath).ToArray();
        return subPaths.All(p => p.Length == 0)
            ? file
            : file with { Content = Encoding.UTF8.GetBytes(ActionPin.Workflow(Encoding.UTF8.GetString(file.Content), action, names, subPaths).Text) };
    }

    /// <summary>What happens to one file: written (Content), or left as it is, and the word init reports.</summary>
    private sealed record Outcome(string Verb, byte[]? Content = null, string? Detail = null, bool KeptConfiguration = false, string? Backup = null);

    private static Outcome Decide(ScaffoldFile file, byte[]? now, InitOptions options, IReadOnlySet<string> names, string stamp)
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
            var backup = $"{BackupFolder}/{Path.GetFileName(file.RelativePath)}.{stamp}.orig";
            return new Outcome("overwrote", file.Content, $"your version saved as {backup}", Backup: backup);
        }

        // The team's file: with --action, only the lines naming this action change; without it, nothing does.
        var keptConfiguration = file.Kind == ScaffoldKind.Configuration && options.Force;
        if (!options.ActionGiven)
        {
            return new Outcome("kept", Detail: "yours; it differs from init's", KeptConfiguration: keptConfiguration);
        }

        var text = Text(file.RelativePath, now);
        var pinned = file.Kind == ScaffoldKind.Configuration ? ActionPin.Configuration(text, options.Action) : ActionPin.Workflow(text, options.Action, names);
        if (pinned.Changed.Count == 0)
        {
            return pinned.Found > 0
                ? new Outcome("unchanged", Detail: $"yours; {(file.Kind == ScaffoldKind.Configuration ? "its schema and documentation lines already name" : "its uses: lines of this action already use")} {options.Action}", KeptConfiguration: keptConfiguration)
                : new Outcome("kept", Detail: file.Kind == ScaffoldKind.Configuration ? "yours; no schema or documentation line of init's to pin" : "yours; no uses: line of this action to pin", KeptConfiguration: keptConfiguration);
        }

        var said = string.Join(", ", pinned.Changed.GroupBy(l => l.Reference, StringComparer.Ordinal).Select(g =>
            $"{(g.Count() == 1 ? "line" : "lines")} {string.Join(", ", g.Select(l => l.Number))} now {g.Key}"));
        return new Outcome("pinned", StrictUtf8.Encoding.GetBytes(pinned.Text), $"{said}; everything else kept", keptConfiguration);
    }

    // Decoded and encoded without replacement characters, so every byte init does not rewrite comes back as it was.

    private static string Text(string relativePath, byte[] bytes, bool strict = true)
    {
        if (!strict)
        {
            return Encoding.UTF8.GetString(bytes); // Only read, never written back.
        }

        try
        {
            return StrictUtf8.Encoding.GetString(bytes);
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
                ? $"Adapt the signals in {ConfigLoader.DefaultRelativePath} that compute the level (the examples there are yours to keep, change or delete; docs/orchestrator.md), then preview the level: policy-response evaluate"
                : $"Make sure the workflow \"{options.OrchestrationWorkflow}\" writes state/policy_state.json ({{\"level\": \"GREEN|YELLOW|RED\"}}) and commits it{(options.StateBranch is { } branch ? $" to the branch {branch}" : string.Empty)}",
            "In Settings > Environments, create \"policy-apply\" with required reviewers (the human sign-off for every apply, release and undo) and \"policy-preview\" and \"policy-control\" without",
            $"To engage the brake, lock the trust guard, undo or acknowledge, run {WorkflowsFolder}/{WorkflowTemplates.Control} from the Actions tab, the mobile app or gh (gh workflow run {WorkflowTemplates.Control} -f command=brake-engage -f reason=\"INC-42\"): it commits the change, which a local command does not",
            "The workflows grant their jobs contents: write and issues: write, and the orchestration actions: read for its workflow_runs signal (a signal that reads alerts, checks, statuses or issues needs the permission commented beside it in policy_orchestration.yml); if your organisation restricts the GITHUB_TOKEN, allow those for these workflows",
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
