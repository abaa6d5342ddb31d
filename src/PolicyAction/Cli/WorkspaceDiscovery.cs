namespace PolicyAction.Cli;

/// <summary>
/// The workspace a command works on when neither --workspace nor GITHUB_WORKSPACE names it, found as git finds its
/// repository: walking up from the current folder to the first folder that holds <c>.github/policy-response.yml</c>,
/// and no further than the repository root (a folder holding <c>.git</c>, a folder or, in worktrees and submodules, a
/// file) or the file system root. Without it, a command run from a subfolder read and wrote a second, empty set of
/// state files there. A --config never steers the walk: looked for from the current folder, a relative one matched
/// there and made a subfolder the workspace again.
/// </summary>
internal static class WorkspaceDiscovery
{
    /// <summary>How a command finds its workspace.</summary>
    internal enum Rule
    {
        /// <summary>
        /// The folder holding the configuration; with --config given, else the repository root; none found fails (exit 2).
        /// </summary>
        HasConfiguration,

        /// <summary>
        /// <c>init</c>, which writes the configuration: the folder already holding one, else the repository root, else the
        /// current folder (as <c>git init</c> starts a repository where it is run).
        /// </summary>
        Creates,
    }

    /// <summary>The workspace found, and why it is the one (for the line that says which folder is used).</summary>
    internal sealed record Found(string Workspace, string Why);

    /// <summary>The workspace for the rule (the caller says which folder is used when it is not the current one).</summary>
    /// <param name="configGiven">
    /// --config names the configuration, so the workspace need not hold the default one: the repository root is the
    /// workspace when no folder up to it does.
    /// </param>
    public static Found Find(string currentDirectory, Rule rule, bool configGiven)
    {
        const string Marker = Configuration.ConfigLoader.DefaultRelativePath;
        var current = Path.TrimEndingDirectorySeparator(Path.GetFullPath(currentDirectory));
        var (found, repositoryRoot) = Walk(current, Marker);
        Found result;
        if (found is not null)
        {
            result = new Found(found, found == current ? $"{Marker} is here" : $"found {Marker} above the current folder");
        }
        else if (rule == Rule.Creates || configGiven)
        {
            result = repositoryRoot is not null
                ? new Found(repositoryRoot, repositoryRoot == current ? "the repository root" : "the repository root above the current folder")
                : rule == Rule.Creates
                    ? new Found(current, "the current folder")
                    : throw NoWorkspace(current, Marker, repositoryRoot);
        }
        else
        {
            throw NoWorkspace(current, Marker, repositoryRoot);
        }

        return result;
    }

    private static UsageException NoWorkspace(string current, string marker, string? repositoryRoot)
    {
        var limit = repositoryRoot is not null ? $"the repository root {repositoryRoot}" : "the file system root";
        return new UsageException(
            $"no {marker} in {current} or any folder above it up to {limit}: this is not a policy-response workspace. "
            + "Run 'policy-response init' to set one up, or pass --workspace DIR");
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
