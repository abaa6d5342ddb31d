using System.Text.RegularExpressions;

namespace PolicyAction.Scaffolding;

/// <summary>Where a workflow's <c>uses:</c> finds this action: <c>owner/repo@ref</c>.</summary>
internal sealed partial record ActionReference(string Owner, string Repository, string Ref)
{
    /// <summary>
    /// What init writes when no <c>--action</c> is given: the build's <c>ActionReference</c> (a release pins its own
    /// commit), else the project's major tag.
    /// </summary>
    public static ActionReference Default { get; } = Parse(
        typeof(ActionReference).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ActionReference")?.Value ?? "org/policy-response@v2",
        "the build's ActionReference");

    /// <summary>True when the ref is a full commit SHA, the only pin GitHub cannot move.</summary>
    public bool IsCommitPin => CommitSha().IsMatch(Ref);

    public override string ToString() => $"{Owner}/{Repository}@{Ref}";

    /// <summary>Parses <c>owner/repo@ref</c>; the text lands in YAML, so only the characters GitHub allows in each part pass.</summary>
    public static ActionReference Parse(string text, string source)
    {
        var match = Shape().Match(text);
        return match.Success && !match.Groups["ref"].Value.Contains("..", StringComparison.Ordinal)
            ? new ActionReference(match.Groups["owner"].Value, match.Groups["repo"].Value, match.Groups["ref"].Value)
            : throw new UsageException(
                $"{source} '{text}' is not an action reference; expected OWNER/REPO@REF such as "
                + "my-org/policy-response@0123456789abcdef0123456789abcdef01234567 (a release's commit SHA) or my-org/policy-response@v2");
    }

    [GeneratedRegex(@"^(?<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?<repo>[A-Za-z0-9._-]{1,100})@(?<ref>[A-Za-z0-9][A-Za-z0-9._/-]{0,199})$")]
    private static partial Regex Shape();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitSha();
}
