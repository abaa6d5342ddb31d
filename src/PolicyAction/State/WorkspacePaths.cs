namespace PolicyAction.State;

/// <summary>
/// Paths of the workspace's state files (as in the seed), and confinement of any path that
/// comes from configuration or undo records to the workspace.
/// </summary>
internal sealed class WorkspacePaths
{
    public WorkspacePaths(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
    }

    public string Root { get; }

    /// <summary>The audit log's path in the repository (and on the shared branch).</summary>
    public const string AuditLogPath = "state/policy_response_log.jsonl";

    /// <summary>The alert history's path in the repository (and on the shared branch).</summary>
    public const string AlertHistoryPath = "logs/policy_orchestration_alerts.jsonl";

    private const string UndoRecordPrefix = "policy_response_undo_";

    /// <summary>The trust lock's path in the repository.</summary>
    public const string TrustLockPath = "state/trust_lock_state.json";

    /// <summary>The safety brake's path in the repository.</summary>
    public const string SafetyBrakePath = "forensics/safety_brake_state.json";

    /// <summary>Whether a repository path is the trust lock or the safety brake: only the control commands change them.</summary>
    public static bool IsControlState(string repositoryPath) => repositoryPath is TrustLockPath or SafetyBrakePath;

    /// <summary>The level file: committed only by a run that evaluated the level (evaluate, or run with policy: evaluate).</summary>
    public static bool IsPolicyState(string repositoryPath) => repositoryPath == PolicyStatePath;

    public const string PolicyStatePath = "state/policy_state.json";

    /// <summary>Files only ever appended to (the alert history and every audit log segment): on a race they are merged line by line, never overwritten.</summary>
    public static bool IsAppendOnly(string repositoryPath) => repositoryPath == AlertHistoryPath || AuditSegments.IsSegment(repositoryPath);

    public string PolicyState => Combine("state", "policy_state.json");

    public string TrustLockState => Combine(TrustLockPath.Split('/'));

    public string SafetyBrakeState => Combine(SafetyBrakePath.Split('/'));

    public string Preview => Combine("state", "policy_response_preview.json");

    public string AuditLog => Combine(AuditLogPath.Split('/'));

    public string BlockedReport => Combine("reports", "policy_response_blocked.json");

    public string LockFile => Combine("state", ".policy-response.lock");

    public string AlertReport => Combine("reports", "policy_orchestration_alerts.json");

    public string AlertHistory => Combine(AlertHistoryPath.Split('/'));

    public string UndoRecord(Guid responseId) => Combine("state", $"{UndoRecordPrefix}{responseId:D}.json");

    /// <summary>Whether a repository path is where undo records are kept (<c>state/policy_response_undo_*.json</c>).</summary>
    public static bool IsUndoRecord(string repositoryPath) =>
        repositoryPath.StartsWith($"state/{UndoRecordPrefix}", StringComparison.Ordinal) && repositoryPath.EndsWith(".json", StringComparison.Ordinal);

    /// <summary>
    /// The files a run commits back when they changed: the logs, the reports, the preview, the undo records, and the
    /// trust lock and the safety brake (which the control commands change, and later runs' gates read). Of
    /// the audit log, only segments from <paramref name="fromSegment"/> on (default: the newest): sealed segments never
    /// change, so a run's cost does not grow with the history.
    /// </summary>
    public IEnumerable<string> ArtifactFiles(int? fromSegment = null)
    {
        // Newest first, listing only the groups it reaches; then in order.
        var index = new SegmentIndex(AuditLog);
        var from = fromSegment ?? index.Newest?.Number ?? 1;
        foreach (var segment in index.NewestFirst().TakeWhile(s => s.Number >= from).Reverse())
        {
            yield return segment.Path;
        }

        string[] single = [Preview, BlockedReport, AlertReport, AlertHistory, TrustLockState, SafetyBrakeState, PolicyState];
        foreach (var file in single.Where(File.Exists))
        {
            yield return file;
        }

        var state = Path.GetDirectoryName(AuditLog)!;
        if (Directory.Exists(state))
        {
            foreach (var undo in Directory.EnumerateFiles(state, $"{UndoRecordPrefix}*.json").Order(StringComparer.Ordinal))
            {
                yield return undo;
            }
        }
    }

    public string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace('\\', '/');

    /// <summary>Why a configured path is not an acceptable workspace-relative path, or null if it is.</summary>
    public static string? CheckRelative(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "must not be empty";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "must not contain NUL characters";
        }

        if (Path.IsPathRooted(path) || path.StartsWith('~'))
        {
            return $"'{path}' is absolute; use a path relative to the workspace";
        }

        var depth = 0;
        foreach (var segment in path.Split('/', '\\'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            depth += segment == ".." ? -1 : 1;
            if (depth < 0)
            {
                return $"'{path}' leads outside the workspace";
            }
        }

        if (depth == 0)
        {
            return $"'{path}' names the workspace itself, not a file in it";
        }

        // Any component, not only the first: a nested checkout's .git holds its credentials and hooks git runs.
        foreach (var component in Normalize(path).Split('/'))
        {
            if (GitDirectoryNames.IsDotGit(component))
            {
                return $"'{path}' is inside a .git folder ('{Escaped(component)}' is what git takes for .git), which the tool never reads or writes";
            }
        }

        return null;
    }

    /// <summary>
    /// Why a path may not be a reversible action's (saved before it runs, restored by undo), or null: beside
    /// <see cref="CheckRelative"/>, the tool's own state is never one, or an undo could remove audit records with the
    /// chain still verifying, or release the brake with no record of it: <c>state/</c>, <c>forensics/</c>,
    /// <c>logs/</c>, <c>reports/</c>, the configuration and the workflows.
    /// </summary>
    public static string? CheckReversible(string? path)
    {
        if (CheckRelative(path) is { } problem)
        {
            return problem;
        }

        var normalized = Normalize(path!);
        string[] own = ["state", "forensics", "logs", "reports"];
        var first = normalized.Split('/')[0];
        return own.Any(folder => folder.Equals(first, StringComparison.OrdinalIgnoreCase))
            || normalized.Equals(".github/policy-response.yml", StringComparison.OrdinalIgnoreCase)
            || normalized.StartsWith(".github/workflows/", StringComparison.OrdinalIgnoreCase)
            ? $"'{path}' is the tool's own state or configuration, which undo never rewrites (state/, forensics/, logs/, reports/, .github/policy-response.yml, .github/workflows/)"
            : null;
    }

    /// <summary><see cref="ResolveConfined"/> for a reversible path: refused when <see cref="CheckReversible"/> refuses it.</summary>
    public string ResolveReversible(string relativePath) =>
        CheckReversible(relativePath) is { } problem ? throw new PolicyActionException(ExitCodes.UsageOrStateError, $"path {problem}") : ResolveConfined(relativePath);

    /// <summary>A component as text a reader can see: the invisible code points HFS+ ignores written as \\uXXXX.</summary>
    private static string Escaped(string component) =>
        string.Concat(component.Select(c => char.IsControl(c) || GitDirectoryNames.IsHfsIgnorable(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>Collapses '.', '..' and repeated separators; the path must already have passed <see cref="CheckRelative"/>.</summary>
    public static string Normalize(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/', '\\'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                segments.RemoveAt(segments.Count - 1);
            }
            else
            {
                segments.Add(segment);
            }
        }

        return string.Join('/', segments);
    }

    /// <summary>
    /// Resolves a workspace-relative path to a full path, refusing anything that is absolute,
    /// climbs out, or passes through a symbolic link (a link could point anywhere).
    /// </summary>
    public string ResolveConfined(string relativePath)
    {
        var problem = CheckRelative(relativePath);
        if (problem is not null)
        {
            throw new PolicyActionException(ExitCodes.UsageOrStateError, $"path {problem}");
        }

        var normalized = Normalize(relativePath);
        var current = Root;
        foreach (var segment in normalized.Split('/'))
        {
            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                FileSystemInfo entry = info.Exists ? info : new DirectoryInfo(current);
                if (entry.LinkTarget is not null)
                {
                    throw new PolicyActionException(
                        ExitCodes.UsageOrStateError,
                        $"path '{relativePath}' passes through the symbolic link '{Relative(current)}'; links are refused because they can lead outside the workspace");
                }
            }
        }

        return current;
    }

    private string Combine(params string[] segments) => Path.Combine([Root, .. segments]);
}
