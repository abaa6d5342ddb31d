using System.Text.RegularExpressions;
using PolicyAction.State;

namespace PolicyAction.Configuration;

/// <summary>The <c>levels:</c> section: YELLOW and RED, each a list of actions run as argv without a shell.</summary>
internal static partial class LevelsSection
{
    public static Dictionary<PolicyLevel, IReadOnlyList<ActionDefinition>> Validate(Dictionary<string, List<ActionDocument>?>? document, ConfigProblems problems)
    {
        var levels = new Dictionary<PolicyLevel, IReadOnlyList<ActionDefinition>>();
        if (document is null)
        {
            problems.Report("levels", "is required: map YELLOW and/or RED to the actions to run");
            return levels;
        }

        foreach (var (name, actions) in document)
        {
            var levelPath = $"levels.{name}";
            if (!PolicyLevels.TryParse(name, out var level) || !string.Equals(name, level.ToName(), StringComparison.Ordinal))
            {
                problems.Report(levelPath, $"unknown level '{name}'; expected YELLOW or RED (upper case)", atValue: false);
                continue;
            }

            if (level == PolicyLevel.Green)
            {
                problems.Report(levelPath, "GREEN is the all-clear level and takes no actions; remove it", atValue: false);
                continue;
            }

            levels[level] = ValidateActions(actions ?? [], levelPath, problems);
        }

        return levels;
    }

    private static List<ActionDefinition> ValidateActions(List<ActionDocument> actions, string levelPath, ConfigProblems problems)
    {
        var result = new List<ActionDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var at = $"{levelPath}[{i}]";
            if (action is null)
            {
                problems.Report(at, "expected an action mapping with 'id' and 'run'");
                continue;
            }

            var ok = true;
            if (string.IsNullOrWhiteSpace(action.Id))
            {
                problems.Report($"{at}.id", "is required: a short name such as integrity_check");
                ok = false;
            }
            else if (!ActionIdPattern().IsMatch(action.Id))
            {
                problems.Report($"{at}.id", $"'{action.Id}' must be 1-64 characters of a-z, 0-9, '_', '-' or '.', starting with a letter or digit");
                ok = false;
            }
            else if (!seen.Add(action.Id))
            {
                problems.Report($"{at}.id", $"'{action.Id}' is used twice in this level");
                ok = false;
            }

            if (!CheckRun(action.Run, $"{at}.run", problems))
            {
                ok = false;
            }

            var timeout = action.TimeoutSeconds ?? ActionDefinition.DefaultTimeoutSeconds;
            if (timeout < 1 || timeout > ActionDefinition.MaxTimeoutSeconds)
            {
                problems.Report($"{at}.timeout_seconds", $"must be between 1 and {ActionDefinition.MaxTimeoutSeconds}");
                ok = false;
            }

            var paths = new List<string>();
            if (action.Reversible is null && problems.Has($"{at}.reversible"))
            {
                problems.Report($"{at}.reversible", "is empty; give the files the action changes under 'paths', or remove 'reversible'");
                ok = false;
            }

            if (action.Reversible is { } reversible)
            {
                if (reversible.Paths is null || reversible.Paths.Count == 0)
                {
                    problems.Report($"{at}.reversible.paths", "is required for a reversible action: the workspace files the action changes");
                    ok = false;
                }
                else
                {
                    for (var j = 0; j < reversible.Paths.Count; j++)
                    {
                        var problem = WorkspacePaths.CheckReversible(reversible.Paths[j]);
                        if (problem is not null)
                        {
                            problems.Report($"{at}.reversible.paths[{j}]", problem);
                            ok = false;
                        }
                        else
                        {
                            paths.Add(WorkspacePaths.Normalize(reversible.Paths[j]));
                        }
                    }
                }
            }

            if (ok)
            {
                result.Add(new ActionDefinition(
                    action.Id!,
                    action.Description,
                    action.Run!.ToArray(),
                    timeout,
                    action.ContinueOnError ?? false,
                    paths.Distinct(StringComparer.Ordinal).ToArray(),
                    action.UndoInstruction));
            }
        }

        return result;
    }

    /// <summary>An argv run without a shell (an action's or a command signal's): true when it may run.</summary>
    public static bool CheckRun(List<string>? run, string at, ConfigProblems problems)
    {
        if (run is null || run.Count == 0)
        {
            problems.Report(at, "is required: the command as a list, e.g. [\"/usr/bin/sha256sum\", \"-c\", \"manifest.sha256\"]");
            return false;
        }

        var ok = true;
        for (var j = 0; j < run.Count; j++)
        {
            var arg = run[j];
            if (arg is null || arg.Contains('\0', StringComparison.Ordinal))
            {
                problems.Report($"{at}[{j}]", "must be a string without NUL characters");
                ok = false;
            }
        }

        var program = run[0];
        if (string.IsNullOrWhiteSpace(program))
        {
            problems.Report($"{at}[0]", "the program must not be empty");
            ok = false;
        }
        else if (!Path.IsPathRooted(program) && program.Contains('/', StringComparison.Ordinal))
        {
            problems.Report($"{at}[0]", $"'{program}' is a relative path; use an absolute path or a bare command name found on PATH (a workspace file would run whatever the repository contains)");
            ok = false;
        }

        return ok;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_.-]{0,63}\z")]
    private static partial Regex ActionIdPattern();
}
