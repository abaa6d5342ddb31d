using System.Text;
using System.Text.RegularExpressions;

namespace PolicyAction.Scaffolding;

/// <summary>One line <see cref="ActionPin"/> rewrote, and the reference it names now (with its sub-path, e.g. <c>owner/repo/host@ref</c>).</summary>
internal sealed record PinnedLine(int Number, string Reference);

/// <summary>
/// A scaffolded file after <see cref="ActionPin"/>: its new text, the lines it rewrote, and how many lines of this
/// action it found (a line found that already names the reference is not rewritten).
/// </summary>
internal sealed record PinResult(string Text, IReadOnlyList<PinnedLine> Changed, int Found);

/// <summary>A <c>uses:</c> line of this action in a workflow: the reference it names and its sub-path (<c>/host</c>, or empty).</summary>
internal sealed record UsesOfAction(ActionReference Reference, string SubPath);

/// <summary>
/// Points the files init scaffolded at another reference of this action, changing nothing else: in a workflow, each
/// <c>uses:</c> line that names this action; in the configuration, the two comment lines init writes at its top (the
/// schema and the documentation link), and only those. Every other byte, a team's edits and comments included, stays
/// as it is.
/// </summary>
internal static partial class ActionPin
{
    /// <summary>What follows a commit pin: a SHA says nothing of the release it is, and init cannot know, so it says who pinned it.</summary>
    public const string CommitComment = "pinned by init";

    /// <summary>The value of a <c>uses:</c> line for this reference: a tag as it is; a commit SHA with a comment saying init pinned it.</summary>
    public static string UsesValue(ActionReference action) => action.IsCommitPin ? $"{action} # {CommitComment}" : action.ToString();

    /// <summary>
    /// The owner/repository names that are this action: the one given, the build's default, and the one init's own
    /// schema line in the configuration names (what init was given the last time). Nothing else: a comment of the
    /// team's naming another repository never makes that repository's <c>uses:</c> lines this action's. Compared
    /// without case, as GitHub does.
    /// </summary>
    public static HashSet<string> Names(ActionReference given, string? configuration)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Name(given), Name(ActionReference.Default) };
        if (configuration is not null && Previous(configuration) is { } previous)
        {
            names.Add(Name(previous));
        }

        return names;
    }

    /// <summary>The reference init's schema line in the configuration names (what init was given the last time), if it is still there.</summary>
    public static ActionReference? Previous(string configuration)
    {
        var lines = LeadingComments(configuration);
        for (var i = 0; i < lines.Count; i++)
        {
            if (SchemaLine().Match(lines[i]) is { Success: true } match)
            {
                return Reference(match, "the schema line");
            }
        }

        return null;
    }

    /// <summary>
    /// The <c>uses:</c> lines of a workflow that name one of <paramref name="names"/> or, with
    /// <paramref name="repository"/>, any owner's repository of that name (a fork), in the order they appear.
    /// </summary>
    public static IReadOnlyList<UsesOfAction> Uses(string text, IReadOnlySet<string> names, string? repository = null)
    {
        var found = new List<UsesOfAction>();
        foreach (var raw in text.Split('\n'))
        {
            var match = UsesLine().Match(raw.TrimEnd('\r'));
            if (match.Success
                && (names.Contains(Name(match)) || string.Equals(match.Groups["repo"].Value, repository, StringComparison.OrdinalIgnoreCase))
                && Reference(match, "a uses: line") is { } reference)
            {
                found.Add(new UsesOfAction(reference, match.Groups["path"].Value));
            }
        }

        return found;
    }

    /// <summary>
    /// Rewrites the workflow's <c>uses:</c> lines that name one of <paramref name="names"/>, keeping each line's
    /// sub-path (<c>owner/repo/host@ref</c>), quotes and a comment of the team's (<c># approved SEC-123</c>); init's own
    /// comment follows the new reference. With <paramref name="subPaths"/>, the n-th such line takes the n-th sub-path
    /// instead (what a file init replaces had, so <c>--force</c> keeps host mode).
    /// </summary>
    public static PinResult Workflow(string text, ActionReference action, IReadOnlySet<string> names, IReadOnlyList<string>? subPaths = null)
    {
        var nth = 0;
        return Rewrite(text, (line, _) =>
        {
            var match = UsesLine().Match(line);
            if (!match.Success || !names.Contains(Name(match)))
            {
                return (line, null);
            }

            var path = subPaths is not null && nth < subPaths.Count ? subPaths[nth] : match.Groups["path"].Value;
            nth++;
            var quote = match.Groups["quote"].Value;
            var comment = match.Groups["comment"].Value;
            var ours = comment.Length == 0 || comment.TrimEnd() == $"# {CommitComment}";
            var tail = !ours ? $"{match.Groups["gap"].Value}{comment}"
                : action.IsCommitPin ? $" # {CommitComment}"
                : comment.Length == 0 ? match.Groups["gap"].Value
                : string.Empty;
            var reference = $"{action.Owner}/{action.Repository}{path}@{action.Ref}";
            return ($"{match.Groups["prefix"].Value}{quote}{reference}{quote}{tail}", reference);
        }) with { Found = nth };
    }

    /// <summary>
    /// Rewrites the two lines init writes at the top of the configuration, when they are still there as init wrote
    /// them: the schema line, and the documentation link on the line after init's "described in". A link to another
    /// repository's documentation, or any line below the leading comments, is the team's and stays.
    /// </summary>
    public static PinResult Configuration(string text, ActionReference action)
    {
        var leading = LeadingComments(text);
        var names = Names(action, text);
        var found = 0;
        return Rewrite(text, (line, index) =>
        {
            if (index >= leading.Count)
            {
                return (line, null);
            }

            var match = SchemaLine().Match(line);
            if (!match.Success && index > 0 && leading[index - 1] == ConfigTemplate.DescribedIn)
            {
                match = DocumentationLine().Match(line);
                match = match.Success && names.Contains(Name(match)) ? match : Match.Empty;
            }

            if (!match.Success)
            {
                return (line, null);
            }

            found++;
            return ($"{match.Groups["before"].Value}{action.Owner}/{action.Repository}{match.Groups["middle"].Value}{action.Ref}{match.Groups["after"].Value}", action.ToString());
        }) with { Found = found };
    }

    private static string Name(ActionReference reference) => $"{reference.Owner}/{reference.Repository}";

    private static string Name(Match match) => $"{match.Groups["owner"].Value}/{match.Groups["repo"].Value}";

    private static ActionReference? Reference(Match match, string source)
    {
        try
        {
            return ActionReference.Parse($"{Name(match)}@{match.Groups["ref"].Value}", source);
        }
        catch (UsageException)
        {
            return null; // Not a reference init would write.
        }
    }

    /// <summary>The comment lines at the very top of the configuration, where init writes its two lines, without their line endings.</summary>
    private static List<string> LeadingComments(string text)
    {
        var lines = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!line.TrimStart('\uFEFF').StartsWith('#'))
            {
                break;
            }

            lines.Add(line);
        }

        return lines;
    }

    /// <summary>
    /// Applies <paramref name="rewrite"/> to each line (without its line ending, with its index from 0); the endings
    /// (\n or \r\n) stay as they were. A rewrite returns the line and, when it pinned one, the reference it names now.
    /// </summary>
    private static PinResult Rewrite(string text, Func<string, int, (string Line, string? Reference)> rewrite)
    {
        var result = new StringBuilder(text.Length);
        var changed = new List<PinnedLine>();
        var start = 0;
        for (var index = 0; start < text.Length; index++)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            var content = end > start && text[end - 1] == '\r' ? end - 1 : end;
            var line = text[start..content];
            var (rewritten, reference) = rewrite(line, index);
            if (!string.Equals(rewritten, line, StringComparison.Ordinal))
            {
                changed.Add(new PinnedLine(index + 1, reference ?? string.Empty));
            }

            result.Append(rewritten).Append(text, content, (newline < 0 ? text.Length : newline + 1) - content);
            start = newline < 0 ? text.Length : newline + 1;
        }

        return new PinResult(result.ToString(), changed, 0);
    }

    // "      - uses: owner/repo@ref # comment", "        uses: 'owner/repo/host@ref'": the owner and repository as GitHub
    // allows them, an optional sub-path, the ref up to a quote, a space or a comment.
    [GeneratedRegex("""^(?<prefix>[ \t]*(?:-[ \t]+)?uses:[ \t]*)(?<quote>["']?)(?<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?<repo>[A-Za-z0-9._-]{1,100})(?<path>(?:/[A-Za-z0-9._-]+)*)@(?<ref>[^\s"'#]+)\k<quote>(?<gap>[ \t]*)(?<comment>#.*)?$""")]
    private static partial Regex UsesLine();

    // The schema line exactly as ConfigTemplate writes it (a byte-order mark may precede it).
    [GeneratedRegex("""^(?<before>\uFEFF?# yaml-language-server: \$schema=https://raw\.githubusercontent\.com/)(?<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?<repo>[A-Za-z0-9._-]{1,100})(?<middle>/)(?<ref>[A-Za-z0-9][A-Za-z0-9._/-]*?)(?<after>/docs/policy-response\.schema\.json)$""")]
    private static partial Regex SchemaLine();

    // The documentation link exactly as ConfigTemplate writes it, alone on its line.
    [GeneratedRegex("""^(?<before># https://github\.com/)(?<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?<repo>[A-Za-z0-9._-]{1,100})(?<middle>/blob/)(?<ref>[A-Za-z0-9][A-Za-z0-9._/-]*?)(?<after>/docs/configuration\.md)$""")]
    private static partial Regex DocumentationLine();
}
