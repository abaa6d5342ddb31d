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
}

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

    public static readonly IReadOnlyList<string> Commands = ["run", "gates", "respond", "alerts"];
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
            writeInterval);
    }

    public bool Responds => Command is ActionCommand.Run or ActionCommand.Gates or ActionCommand.Respond;

    public bool ChecksAlerts => Command is ActionCommand.Run or ActionCommand.Alerts;

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
