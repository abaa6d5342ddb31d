using System.Text;
using System.Text.RegularExpressions;

namespace PolicyAction.Scaffolding;

/// <summary>The lines of a scaffolded file that <see cref="ActionPin"/> rewrote, and the file's new text.</summary>
internal sealed record PinResult(string Text, IReadOnlyList<int> ChangedLines);

/// <summary>
/// Points the files init scaffolded at another reference of this action, changing nothing else: in a workflow, each
/// <c>uses:</c> line that names this action; in the configuration, the two comment lines at its top that name it (the
/// schema and the documentation link). Every other byte, a team's edits included, stays as it is.
/// </summary>
internal static partial class ActionPin
{
    /// <summary>What follows a commit pin: a SHA says nothing of the release it is, and init cannot know, so it says who pinned it.</summary>
    public const string CommitComment = "pinned by init";

    /// <summary>The value of a <c>uses:</c> line for this reference: a tag as it is; a commit SHA with a comment saying init pinned it.</summary>
    public static string UsesValue(ActionReference action) => action.IsCommitPin ? $"{action} # {CommitComment}" : action.ToString();

    /// <summary>
    /// The owner/repository names that are this action: the one given, the build's default, and the one the existing
    /// configuration's schema line names (what init was given the last time). Compared without case, as GitHub does.
    /// </summary>
    public static HashSet<string> Names(ActionReference given, string? configuration)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            $"{given.Owner}/{given.Repository}",
            $"{ActionReference.Default.Owner}/{ActionReference.Default.Repository}",
        };
        foreach (var line in configuration?.Split('\n') ?? [])
        {
            if (ReferenceComment().Match(line.TrimEnd('\r')) is { Success: true } match)
            {
                names.Add($"{match.Groups["owner"].Value}/{match.Groups["repo"].Value}");
            }
        }

        return names;
    }

    /// <summary>The reference the configuration's schema line names (what init was given the last time), if it has one.</summary>
    public static ActionReference? Previous(string configuration)
    {
        foreach (var line in configuration.Split('\n'))
        {
            if (ReferenceComment().Match(line.TrimEnd('\r')) is { Success: true } match && match.Groups["middle"].Value == "/")
            {
                try
                {
                    return ActionReference.Parse($"{match.Groups["owner"].Value}/{match.Groups["repo"].Value}@{match.Groups["ref"].Value}", "the schema line");
                }
                catch (UsageException)
                {
                    return null; // Not a reference init would write: the default applies.
                }
            }
        }

        return null;
    }

    /// <summary>Rewrites the workflow's <c>uses:</c> lines that name one of <paramref name="names"/>, keeping any sub-path (<c>owner/repo/host@ref</c>).</summary>
    public static PinResult Workflow(string text, ActionReference action, IReadOnlySet<string> names) => Rewrite(text, line =>
    {
        var match = UsesLine().Match(line);
        if (!match.Success || !names.Contains($"{match.Groups["owner"].Value}/{match.Groups["repo"].Value}"))
        {
            return line;
        }

        var quote = match.Groups["quote"].Value;
        var comment = action.IsCommitPin ? $" # {CommitComment}" : string.Empty;
        return $"{match.Groups["prefix"].Value}{quote}{action.Owner}/{action.Repository}{match.Groups["path"].Value}@{action.Ref}{quote}{comment}";
    });

    /// <summary>Rewrites the configuration's schema and documentation-link comments that init wrote, when they are still there.</summary>
    public static PinResult Configuration(string text, ActionReference action) => Rewrite(text, line =>
    {
        var match = ReferenceComment().Match(line);
        return match.Success
            ? $"{match.Groups["before"].Value}{action.Owner}/{action.Repository}{match.Groups["middle"].Value}{action.Ref}{match.Groups["after"].Value}"
            : line;
    });

    /// <summary>Applies <paramref name="rewrite"/> to each line without its line ending; the endings (\n or \r\n) stay as they were.</summary>
    private static PinResult Rewrite(string text, Func<string, string> rewrite)
    {
        var result = new StringBuilder(text.Length);
        var changed = new List<int>();
        var start = 0;
        for (var number = 1; start < text.Length; number++)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            var content = end > start && text[end - 1] == '\r' ? end - 1 : end;
            var line = text[start..content];
            var rewritten = rewrite(line);
            if (!string.Equals(rewritten, line, StringComparison.Ordinal))
            {
                changed.Add(number);
            }

            result.Append(rewritten).Append(text, content, (newline < 0 ? text.Length : newline + 1) - content);
            start = newline < 0 ? text.Length : newline + 1;
        }

        return new PinResult(result.ToString(), changed);
    }

    // "      - uses: owner/repo@ref # comment", "        uses: 'owner/repo/host@ref'": the owner and repository as GitHub
    // allows them, an optional sub-path, the ref up to a quote, a space or a comment.
    [GeneratedRegex("""^(?<prefix>[ \t]*(?:-[ \t]+)?uses:[ \t]*)(?<quote>["']?)(?<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?<repo>[A-Za-z0-9._-]{1,100})(?<path>(?:/[A-Za-z0-9._-]+)*)@(?<ref>[^\s"'#]+)\k<quote>[ \t]*(?:#.*)?$""")]
    private static partial Regex UsesLine();

    // The two lines ConfigTemplate writes at the top: the schema URL (raw.githubusercontent.com/OWNER/REPO/REF/...) and
    // the documentation link (github.com/OWNER/REPO/blob/REF/...).
    [GeneratedRegex("""^(?<before>#[^\r\n]*?https://(?:raw\.githubusercontent\.com|github\.com)/)(?<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?<repo>[A-Za-z0-9._-]{1,100})(?<middle>/(?:blob/)?)(?<ref>[A-Za-z0-9][A-Za-z0-9._/-]*?)(?<after>/docs/(?:policy-response\.schema\.json|configuration\.md)[ \t]*)$""")]
    private static partial Regex ReferenceComment();
}
