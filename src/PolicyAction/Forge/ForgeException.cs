namespace PolicyAction.Forge;

/// <summary>The forge refused or failed a request after retries; the message says what to fix. Exit 1: local state is intact.</summary>
internal class ForgeException : PolicyActionException
{
    public ForgeException(string message, Exception? innerException = null)
        : base(ExitCodes.ActionFailed, message, innerException)
    {
    }
}

/// <summary>
/// A write the forge failed without saying whether it took effect (a 5xx after it landed, a timeout, a dropped
/// connection). It is never sent again blindly: the caller reads to learn whether it landed.
/// </summary>
internal sealed class WriteOutcomeUnknownException : ForgeException
{
    public WriteOutcomeUnknownException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A branch protection rule or a ruleset refuses the tool's writes to the branch. Retrying cannot help; the message
/// names the branch, the rule and the two ways out.
/// </summary>
internal sealed class BranchProtectedException : ForgeException
{
    public BranchProtectedException(string branch, string rule, Exception? innerException = null)
        : base(
            $"branch {branch} is protected: GitHub refused the tool's write ({rule}). The tool commits its audit log and state straight to the branch, "
            + "so either give it a branch of its own that no rule protects (set the commit-branch input to it, e.g. policy-response-state: the tool creates it from the default branch and reads its state from it; policy-response init --state-branch NAME writes the workflows for it), "
            + "or let the workflow's identity bypass the rule (Settings → Rules → Rulesets → Bypass list, or the branch protection rule's allowed actors)",
            innerException)
    {
        Branch = branch;
    }

    public string Branch { get; }
}

/// <summary>GitHub refused to open an issue because it cannot assign someone named (422, field <c>assignees</c>).</summary>
internal sealed class AssigneesRefusedException : ForgeException
{
    public AssigneesRefusedException(string forgeMessage, Exception? innerException = null)
        : base($"GitHub cannot assign the issue ({forgeMessage})", innerException)
    {
        ForgeMessage = forgeMessage;
    }

    /// <summary>GitHub's errors, on one line.</summary>
    public string ForgeMessage { get; }
}

/// <summary>Why the forge refused a read.</summary>
internal enum RefusalKind
{
    /// <summary>The token lacks a permission (403 "Resource not accessible by integration", or GitHub names the permissions it accepts).</summary>
    MissingPermission,

    /// <summary>The feature is off for the repository (Dependabot alerts disabled, no code scanning analysis, secret scanning disabled, Advanced Security off).</summary>
    FeatureDisabled,

    /// <summary>404: the thing does not exist, or the token cannot see it.</summary>
    NotFound,
}

/// <summary>
/// The forge refused a read: the token lacks a permission, the feature is off, or the thing cannot be seen. Carries
/// the forge's own message and, when it sent one, the permissions it accepts (GitHub's <c>X-Accepted-GitHub-Permissions</c>).
/// </summary>
internal sealed class ForgeRefusedException : ForgeException
{
    public ForgeRefusedException(RefusalKind kind, int status, string forgeMessage, string? acceptedPermissions, string doing, Exception? innerException = null)
        : base($"GitHub refused {doing} ({status}: {forgeMessage})" + (acceptedPermissions is null ? string.Empty : $"; it accepts a token with {acceptedPermissions}"), innerException)
    {
        Kind = kind;
        Status = status;
        ForgeMessage = forgeMessage;
        AcceptedPermissions = acceptedPermissions;
    }

    public RefusalKind Kind { get; }

    public int Status { get; }

    /// <summary>The forge's message, on one line.</summary>
    public string ForgeMessage { get; }

    /// <summary>GitHub's <c>X-Accepted-GitHub-Permissions</c> header (e.g. <c>security_events=read</c>), when it sent one.</summary>
    public string? AcceptedPermissions { get; }
}
