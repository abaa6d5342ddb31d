namespace PolicyAction;

/// <summary>The process exit codes of <c>policy-response</c>; documented in README.md.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An applied action failed (non-zero exit, timeout or could not start), or an I/O failure stopped the run.</summary>
    public const int ActionFailed = 1;

    /// <summary>Bad usage, configuration or state: nothing was executed and no state was changed.</summary>
    public const int UsageOrStateError = 2;

    /// <summary>A safety gate (or a plan-digest mismatch) blocked the response: nothing was executed.</summary>
    public const int Blocked = 3;
}
