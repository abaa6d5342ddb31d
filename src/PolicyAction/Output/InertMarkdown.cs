using System.Text;
using System.Text.RegularExpressions;

namespace PolicyAction.Output;

/// <summary>
/// Text the tool did not write (state files, the report, the configuration) as it goes into GitHub Markdown: one
/// inline code span, inside which GitHub renders no mention, image, link, autolink, HTML, emoji or issue reference.
/// Anyone who can commit can put such text there; in an issue it would notify teams, load images or hide the body.
/// </summary>
internal static partial class InertMarkdown
{
    /// <summary>
    /// The text as one code span. Control characters (newlines too) become spaces, so it stays on its line; the fence is
    /// one backtick longer than the longest run of backticks inside (CommonMark), so nothing inside can close it.
    /// Empty text stays empty.
    /// </summary>
    public static string Code(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            folded.Append(char.IsControl(c) ? ' ' : c);
        }

        var content = folded.ToString();
        if (content.Length == 0)
        {
            // No span can be empty; no text is as inert.
            return string.Empty;
        }

        var fence = new string('`', LongestBacktickRun(content) + 1);

        // CommonMark strips one space from each end of a span that has both (unless it is all spaces), and a backtick
        // at an end would join the fence: a space on each side keeps such content as it is.
        var pad = content[0] == '`' || content[^1] == '`' || (content[0] == ' ' && content[^1] == ' ' && content.Any(c => c != ' ')) ? " " : string.Empty;
        return $"{fence}{pad}{content}{pad}{fence}";
    }

    /// <summary>
    /// As <see cref="Code"/>, in a GFM table cell, where a pipe ends the cell even inside a code span unless escaped
    /// as <c>\|</c> (read as a pipe before the span is). Renderers differ on whether <c>\\|</c> escapes the pipe, so
    /// an odd number of backslashes goes before each: those already there are doubled, and shown doubled.
    /// </summary>
    public static string Cell(string text) => PipeWithBackslashes().Replace(Code(text), m => $"{m.Groups[1].Value}{m.Groups[1].Value}\\|");

    private static int LongestBacktickRun(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    [GeneratedRegex(@"(\\*)\|")]
    private static partial Regex PipeWithBackslashes();
}
