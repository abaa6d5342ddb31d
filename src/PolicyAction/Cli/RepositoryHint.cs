using System.Globalization;
using System.Text;
using PolicyAction.State;

namespace PolicyAction.Cli;

/// <summary>
/// After a state command on a person's machine: the change is in this workspace only, and no workflow's gate sees it
/// until it is committed and pushed. Says which files to commit, and the control workflow's <c>gh</c> line that makes
/// (and commits) the same change from GitHub. Not printed in a runner, where the action commits the change itself.
/// </summary>
internal static class RepositoryHint
{
    /// <summary>The control workflow <c>init</c> scaffolds (workflows/policy_control.yml).</summary>
    public const string ControlWorkflow = "policy_control.yml";

    /// <param name="command">The control workflow's command input (brake-engage, undo, ...).</param>
    /// <param name="inputs">The workflow's other inputs (reason, lock_id, response_id) as given, quoted here; null for one this command was not given (undo's reason), left for the reader to fill in.</param>
    /// <param name="note">A further clause for the first line, when the change touched more than the tool's own files.</param>
    public static void Print(CommandServices services, StateChange change, string command, IReadOnlyList<(string Input, string? Value)> inputs, string? note = null)
    {
        if (!change.Changed || services.Context.InRunner)
        {
            return;
        }

        services.Reporter.Line(
            $"this changed only this workspace: commit and push {string.Join(" and ", change.Files)}{note} "
            + "(to the state branch when the workflows set commit-branch), or make the change from GitHub (web, mobile app or gh) with the control workflow, which commits it:");
        services.Reporter.Line($"  {GhLine(command, inputs)}");
    }

    public static string GhLine(string command, IReadOnlyList<(string Input, string? Value)> inputs) =>
        $"gh workflow run {ControlWorkflow} -f command={command}" + string.Concat(inputs.Select(i => $" -f {i.Input}={(i.Value is null ? "\"...\"" : ShellQuote(i.Value))}"));

    /// <summary>
    /// A word for bash and zsh that stands for exactly <paramref name="text"/>: bare when it is plainly safe, in single
    /// quotes otherwise, and as <c>$'…'</c> with escapes when it holds control or invisible format characters, so
    /// nothing in it can end the word, run a command or hide on the screen.
    /// </summary>
    public static string ShellQuote(string text)
    {
        if (text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "-_.,:/@+".Contains(c, StringComparison.Ordinal)))
        {
            return text;
        }

        if (!text.Any(Invisible))
        {
            return "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        }

        var quoted = new StringBuilder("$'");
        foreach (var c in text)
        {
            if (c is '\\' or '\'')
            {
                quoted.Append('\\').Append(c);
            }
            else if (Invisible(c))
            {
                quoted.Append(c < 0x100 ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('\'').ToString();
    }

    private static bool Invisible(char c) =>
        char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned;
}
