namespace PolicyAction.Responses;

/// <summary>Where apply is decided: nothing executes without <c>--apply</c> (input <c>auto-apply</c>) or <c>POLICY_AUTO_APPLY=true</c>.</summary>
internal static class ApplySwitch
{
    public const string AutoApplyVariable = "POLICY_AUTO_APPLY";

    /// <summary>Apply needs the flag or POLICY_AUTO_APPLY=true; the variable accepts only true/false (any case).</summary>
    public static bool Resolve(bool applyFlag, string? autoApply)
    {
        if (string.IsNullOrWhiteSpace(autoApply))
        {
            return applyFlag;
        }

        if (bool.TryParse(autoApply.Trim(), out var value))
        {
            return applyFlag || value;
        }

        throw new UsageException($"{AutoApplyVariable} must be 'true' or 'false', not '{autoApply}'; nothing was executed");
    }
}
