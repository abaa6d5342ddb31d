namespace PolicyAction.Cli;

/// <summary>
/// The workspace a command works on when neither --workspace nor GITHUB_WORKSPACE names it, found as git finds its
/// repository: walking up from the current folder to the first folder that holds the configuration, and no further
/// than the repository root (a folder holding <c>.git</c>, a folder or, in worktrees and submodules, a file) or the
/// file system root. Without it, a command run from a subfolder read and wrote a second, empty set of state files there.
/// </summary>
internal static class WorkspaceDiscovery
{
    /// <summary>How a command finds its workspace.</summary>
    internal enum Rule
    {
        /// <summary>The folder holding the configuration; none found fails (exit 2).</summary>
        HasConfiguration,

        /// <summary>
        /// <c>init</c>, which writes the configuration: the folder already holding one, else the repository root, else the
        /// current folder (as <c>git init</c> starts a repository where it is run).
        /// </summary>
        Creates,
    }

    /// <summary>The workspace for the rule; the line saying which folder is used goes to <paramref name="error"/> when it is not the current one.</summary>
    /// <param name="marker">The configuration's path relative to a workspace: <c>.github/policy-response.yml</c>, or a relative --config.</param>
    public static string Find(string currentDirectory, string marker, Rule rule, TextWriter error)
    {
        var current = Path.TrimEndingDirectorySeparator(Path.GetFullPath(currentDirectory));
        var (found, repositoryRoot) = Walk(current, marker);
        string workspace;
        string why;
        if (found is not null)
        {
            (workspace, why) = (found, $"found {marker} above the current folder");
        }
        else if (rule == Rule.Creates)
        {
            (workspace, why) = repositoryRoot is not null ? (repositoryRoot, "the repository root above the current folder") : (current, string.Empty);
        }
        else
        {
            var limit = repositoryRoot is not null ? $"the repository root {repositoryRoot}" : "the file system root";
            throw new UsageException(
                $"no {marker} in {current} or any folder above it up to {limit}: this is not a policy-response workspace. "
                + "Run 'policy-response init' to set one up, or pass --workspace DIR");
        }

        if (!string.Equals(workspace, current, StringComparison.Ordinal))
        {
            error.WriteLine($"workspace: {workspace} ({why})");
        }

        return workspace;
    }

    /// <summary>The first folder from <paramref name="start"/> up holding the marker, else the repository root the walk stopped at (if any).</summary>
    private static (string? Found, string? RepositoryRoot) Walk(string start, string marker)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var path = folder.FullName;
            if (Present(Path.Combine(path, marker)))
            {
                return (Path.TrimEndingDirectorySeparator(path), null);
            }

            if (Present(Path.Combine(path, ".git")))
            {
                return (null, Path.TrimEndingDirectorySeparator(path));
            }
        }

        return (null, null);
    }

    /// <summary>
    /// Anything by that name (File.Exists is true for a dangling link too): a configuration that cannot be read must
    /// fail where it is, naming it, not send the walk on to a folder above.
    /// </summary>
    private static bool Present(string path) => File.Exists(path) || Directory.Exists(path);
}
