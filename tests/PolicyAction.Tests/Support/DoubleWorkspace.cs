using PolicyAction.GitHubEmulator;

namespace PolicyAction.Tests.Support;

/// <summary>Workspaces that are checkouts of the API double's default branch, as actions/checkout makes them.</summary>
internal static class DoubleWorkspace
{
    public static Dictionary<string, byte[]> ExampleFiles()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(ExampleWorkspace.Source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(ExampleWorkspace.Source, file).Replace('\\', '/');
            if (!relative.StartsWith("reports", StringComparison.Ordinal) && !relative.Contains("policy_response_", StringComparison.Ordinal) && !relative.EndsWith(".lock", StringComparison.Ordinal))
            {
                files[relative] = File.ReadAllBytes(file);
            }
        }

        return files;
    }

    public static TempWorkspace Checkout(PolicyAction.GitHubEmulator.GitHubEmulator github, string branch = "main")
    {
        var workspace = new TempWorkspace();
        foreach (var (path, content) in github.Files(branch))
        {
            workspace.WriteBytes(path, content);
        }

        return workspace;
    }

    public static RunnerSimulation Runner(PolicyAction.GitHubEmulator.GitHubEmulator github, TempWorkspace workspace)
    {
        var runner = new RunnerSimulation(workspace);
        runner.Environment["GITHUB_API_URL"] = github.BaseAddress.ToString();

        // The double has no secondary limits to respect; ActionAgainstGitHubTests checks the default pacing once.
        runner.Environment[PolicyAction.ActionHost.ActionSettings.WriteIntervalVariable] = "0s";
        runner.Environment["INPUT_COMMAND"] = "run";
        runner.Environment["INPUT_COMMIT-ARTIFACTS"] = "apply-only";
        return runner;
    }
}
