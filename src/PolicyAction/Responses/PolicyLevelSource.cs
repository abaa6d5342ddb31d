using PolicyAction.Configuration;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>
/// Where a response's level came from. The level history (the audit log's <c>level_changed</c> records, which
/// <c>red_flips</c> counts) holds only levels the tool observed: a preview of another level must not rewrite it.
/// </summary>
internal enum LevelOrigin
{
    /// <summary>Read from state/policy_state.json, or the action's 'policy' input (how a workflow passes its computed level).</summary>
    Observed,

    /// <summary>
    /// --policy on the command line: a what-if, never recorded, even when an apply runs actions at it (the response's
    /// own records carry its policy; the state file's level is still the observed one).
    /// </summary>
    WhatIf,
}

/// <summary>The level a response is for: given (by option or input), else the one the orchestration wrote to state/policy_state.json.</summary>
internal static class PolicyLevelSource
{
    /// <param name="source">How the level is given, for messages: "--policy" or "input 'policy'".</param>
    public static PolicyLevel Resolve(StateStore store, string? given, string source)
    {
        if (given is not null)
        {
            return PolicyLevels.TryParse(given, out var level)
                ? level
                : throw new UsageException($"{source} '{given}' is not a level; expected GREEN, YELLOW or RED");
        }

        var paths = store.Paths;
        var state = store.ReadPolicyState()
            ?? throw new UsageException($"no {source} given and {paths.Relative(paths.PolicyState)} does not exist; give {source} GREEN|YELLOW|RED or let the orchestration workflow write the file");
        return PolicyLevels.TryParse(state.Level, out var fromState)
            ? fromState
            : throw new StateFileException(paths.PolicyState, $"level '{state.Level}' is not GREEN, YELLOW or RED");
    }
}
