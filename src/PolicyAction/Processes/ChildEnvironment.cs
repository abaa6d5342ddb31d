namespace PolicyAction.Processes;

/// <summary>The environment an action's process gets: ours, less every secret the runner gave us.</summary>
internal static class ChildEnvironment
{
    // Secrets, and the runner's file-command files: an action must not set outputs, variables or PATH for later steps.
    private static readonly string[] RemovedNames =
    [
        "GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN",
        "GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE", "GITHUB_STEP_SUMMARY",
    ];
    private static readonly string[] RemovedPrefixes = ["INPUT_", "ACTIONS_"];

    public static bool IsInherited(string name) =>
        !RemovedNames.Contains(name, StringComparer.OrdinalIgnoreCase)
        && !RemovedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    public static Dictionary<string, string> Build(IReadOnlyDictionary<string, string> parent, IReadOnlyDictionary<string, string> extra)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parent)
        {
            if (IsInherited(name))
            {
                result[name] = value;
            }
        }

        foreach (var (name, value) in extra)
        {
            result[name] = value;
        }

        return result;
    }
}
