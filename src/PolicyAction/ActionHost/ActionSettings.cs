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
    string? ConfigPath)
{
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
        return new ActionSettings(
            (ActionCommand)index,
            wantApply,
            failOnBlocked,
            (CommitMode)commit,
            branch,
            inputs.GetString("policy"),
            inputs.GetString("plan-digest"),
            inputs.GetString("github-token") ?? context.Variable("GITHUB_TOKEN"),
            inputs.GetString("config") is { } relative ? Path.GetFullPath(relative, workspace) : null);
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
