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
