using PolicyAction.State;

namespace PolicyAction.Processes;

/// <summary>
/// Turns a configured program into an absolute path before anything starts. A bare name is looked up
/// only in absolute PATH entries outside the workspace, so a file in the repository can never be picked
/// up by accident (or by a pull request). Outside is judged on real paths too: a PATH entry, the program
/// in it, or the workspace itself reached through a symbolic link is where the link leads.
/// </summary>
internal sealed class ExecutableResolver
{
    private readonly string? _searchPath;

    // The workspace as given and as the kernel resolves it; inside either is inside.
    private readonly string[] _workspace;

    public ExecutableResolver(string? searchPath, string workspace)
    {
        _searchPath = searchPath;
        var given = Path.GetFullPath(workspace);
        _workspace = RealPath.Of(given) is { } real && real != given ? [given, real] : [given];
    }

    /// <summary>The absolute path, or an explanation of why the program cannot be used.</summary>
    public (string? Path, string? Problem) Resolve(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return IsExecutableFile(program) ? (program, null) : (null, $"'{program}' does not exist or is not an executable file");
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            return (null, $"'{program}' is a relative path; use an absolute path or a bare command name");
        }

        foreach (var directory in (_searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Path.IsPathRooted(directory))
            {
                continue;
            }

            var full = Path.GetFullPath(directory);
            if (InWorkspace(full) || RealPath.Of(full) is not { } realDirectory || InWorkspace(realDirectory))
            {
                continue;
            }

            // The link's own name is what runs (a multi-call program such as busybox goes by it), once its target is outside.
            var candidate = Path.Combine(full, program);
            if (RealPath.Of(candidate) is { } realCandidate && !InWorkspace(realCandidate) && IsExecutableFile(candidate))
            {
                return (candidate, null);
            }
        }

        return (null, $"'{program}' was not found on PATH (relative and workspace PATH entries are ignored)");
    }

    private bool InWorkspace(string path) => _workspace.Any(root => RealPath.IsWithin(path, root));

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
