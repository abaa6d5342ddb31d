using PolicyAction.Forge;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.ActionHost;

/// <summary>The stages the action's <c>command</c> input runs.</summary>
internal enum ActionCommand
{
    Run,
    Gates,
    Respond,
    Alerts,

    /// <summary>The orchestrator: compute the level from the signals, record it, commit it.</summary>
    Evaluate,

    // The control commands: each changes the state as its CLI command would, then commits the change.
    BrakeEngage,
    BrakeRelease,
    TrustLock,
    TrustUnlock,
    TrustForceUnlock,
    Undo,
    Acknowledge,
}

/// <summary>
/// The inputs of a control command: why (required: it goes into the audit log), and the lock or the response it
/// names. <paramref name="LockId"/> only for trust-force-unlock, <paramref name="ResponseId"/> only for undo and acknowledge.
/// </summary>
internal sealed record ControlRequest(string Reason, string? LockId, Guid? ResponseId);

/// <summary>The <c>commit-artifacts</c> input: <c>true</c>, <c>false</c> or <c>apply-only</c>.</summary>
internal enum CommitMode
{
    Always,
    Never,
    ApplyOnly,
}

/// <summary>The action's inputs, read and checked before anything runs.</summary>
internal sealed record ActionSettings(
    ActionCommand Command,
    bool WantApply,
    bool FailOnBlocked,
    CommitMode Commit,
    string? CommitBranch,
    string? Policy,
    string? PlanDigest,
    string? Token,
    string? ConfigPath,
    TimeSpan GitHubWaitBudget,
    TimeSpan? GitHubWriteInterval = null)
{
    /// <summary>The least time between two content-creating requests; GitHub asks for a second (0s only for a double or GHES without secondary limits).</summary>
    public const string WriteIntervalVariable = "POLICY_GITHUB_WRITE_INTERVAL";

    /// <summary>The github-wait-budget input's default: GitHub's secondary limits ask for a minute or more, doubling.</summary>
    public static readonly TimeSpan DefaultGitHubWaitBudget = TimeSpan.FromMinutes(5);

    /// <summary>The command input's values, in the order of <see cref="ActionCommand"/>.</summary>
    public static readonly IReadOnlyList<string> Commands =
        ["run", "gates", "respond", "alerts", "evaluate", "brake-engage", "brake-release", "trust-lock", "trust-unlock", "trust-force-unlock", "undo", "acknowledge"];

    /// <summary>The control command's inputs; null for run, gates, respond and alerts.</summary>
    public ControlRequest? Control { get; init; }
    public static readonly IReadOnlyList<string> CommitModes = ["true", "false", "apply-only"];

    /// <param name="command">The stage to run; null reads the action's 'command' input (default run).</param>
    /// <param name="workspace">The folder a relative 'config' input is resolved against.</param>
    public static ActionSettings Read(ActionInputs inputs, RunContext context, string? command, string workspace)
    {
        var name = command ?? inputs.GetString("command") ?? "run";
        var index = IndexOf(Commands, name) ?? throw new UsageException($"input 'command' must be one of {string.Join(", ", Commands)}; got '{name}'");
        var wantApply = inputs.GetBoolean("auto-apply", false) | ApplySwitch.Resolve(false, context.Variable(ApplySwitch.AutoApplyVariable));
        var failOnBlocked = inputs.GetBoolean("fail-on-blocked", false);
        var commitText = inputs.GetString("commit-artifacts") ?? "apply-only";
        var commit = IndexOf(CommitModes, commitText) ?? throw new UsageException($"input 'commit-artifacts' must be true, false or apply-only; got '{commitText}'");

        // Checked before anything runs: a name git would refuse must not surface only after a response applied.
        var branch = inputs.GetString("commit-branch") is { } given ? BranchName.Validate(given, "input 'commit-branch'") : null;
        var budgetText = inputs.GetString("github-wait-budget");
        var budget = DefaultGitHubWaitBudget;
        if (budgetText is not null && !(Output.Durations.TryParse(budgetText, out budget) || budgetText.Trim() == "0"))
        {
            throw new UsageException($"input 'github-wait-budget' must be a duration such as 90s, 5m or 1h (or 0 not to wait); got '{budgetText}'");
        }

        TimeSpan? writeInterval = null;
        if (context.Variable(WriteIntervalVariable) is { } intervalText)
        {
            writeInterval = Output.Durations.TryParse(intervalText, out var interval)
                ? interval
                : throw new UsageException($"{WriteIntervalVariable} must be a duration such as 1s or 0s; got '{intervalText}'");
        }

        var control = index >= (int)ActionCommand.BrakeEngage ? ReadControl(inputs, (ActionCommand)index, name, (CommitMode)commit) : null;
        if (inputs.GetString("policy") == EvaluatePolicy && (ActionCommand)index != ActionCommand.Run)
        {
            throw new UsageException($"input 'policy' is '{EvaluatePolicy}', which only command 'run' takes (evaluate, then respond); command '{name}' takes GREEN, YELLOW or RED, or no policy for the level in state/policy_state.json");
        }

        return new ActionSettings(
            (ActionCommand)index,
            wantApply,
            failOnBlocked,
            (CommitMode)commit,
            branch,
            inputs.GetString("policy"),
            inputs.GetString("plan-digest"),
            inputs.GetString("github-token") ?? context.Variable("GITHUB_TOKEN"),
            inputs.GetString("config") is { } relative ? Path.GetFullPath(relative, workspace) : null,
            budgetText?.Trim() == "0" ? TimeSpan.Zero : budget,
            writeInterval)
        {
            Control = control,
        };
    }

    /// <summary>
    /// A control command's inputs, all checked before anything changes. Its change exists only in this job's
    /// workspace until it is committed, so commit-artifacts false (commit nothing) is refused rather than
    /// reporting a change that no later run would see; true and apply-only both commit it.
    /// </summary>
    private static ControlRequest ReadControl(ActionInputs inputs, ActionCommand command, string name, CommitMode commit)
    {
        if (commit == CommitMode.Never)
        {
            throw new UsageException($"command '{name}' commits the state it changes, so that later runs see it; input 'commit-artifacts' is false. Remove commit-artifacts (or set it to true) for this step");
        }

        var reason = inputs.GetString("reason") is { } given && given.Trim().Length > 0
            ? given.Trim()
            : throw new UsageException($"input 'reason' is required for command '{name}': say why, for whoever reads the audit log");

        string? lockId = null;
        if (command == ActionCommand.TrustForceUnlock)
        {
            lockId = inputs.GetString("lock-id") is { } id && id.Trim().Length > 0
                ? id.Trim()
                : throw new UsageException("input 'lock-id' is required for command 'trust-force-unlock': the current lock's id, as the trust-lock run's summary or 'policy-response trust status' shows it");
        }

        Guid? responseId = null;
        if (command is ActionCommand.Undo or ActionCommand.Acknowledge)
        {
            var text = inputs.GetString("response-id")?.Trim()
                ?? throw new UsageException($"input 'response-id' is required for command '{name}': the response's id (a UUID), as its run's summary or 'policy-response status' shows it");
            responseId = Guid.TryParseExact(text, "D", out var parsed)
                ? parsed
                : throw new UsageException($"input 'response-id' must be a response id, a UUID such as 0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11; got '{ActionInputs.Printable(text)}'");
        }

        return new ControlRequest(reason, lockId, responseId);
    }

    /// <summary>The 'policy' input that makes run compute the level from the signals before it responds.</summary>
    public const string EvaluatePolicy = "evaluate";

    /// <summary>run with policy: evaluate.</summary>
    public bool EvaluatesFirst => Command == ActionCommand.Run && Policy == EvaluatePolicy;

    public bool Responds => Command is ActionCommand.Run or ActionCommand.Gates or ActionCommand.Respond;

    public bool ChecksAlerts => Command is ActionCommand.Run or ActionCommand.Alerts;

    /// <summary>The command's name as the command input spells it.</summary>
    public string CommandName => Commands[(int)Command];

    private static int? IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return null;
    }
}
