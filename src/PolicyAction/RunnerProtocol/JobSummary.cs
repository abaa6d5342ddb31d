using System.Text;

namespace PolicyAction.RunnerProtocol;

/// <summary>
/// A Markdown job summary for <c>GITHUB_STEP_SUMMARY</c>. The runner refuses a step summary over 1 MiB,
/// so this one is cut below that with a visible note.
/// </summary>
internal sealed class JobSummary
{
    public const int RunnerLimitBytes = 1024 * 1024;
    public const string TruncationNote = "\n\n> **Summary truncated**: it exceeded GitHub's 1 MiB step-summary limit. The full details are in the job log and the committed state files.\n";

    private readonly StringBuilder _markdown = new();

    public JobSummary Heading(string text, int level = 2)
    {
        _markdown.Append('#', level).Append(' ').Append(text).Append("\n\n");
        return this;
    }

    public JobSummary Paragraph(string text)
    {
        _markdown.Append(text).Append("\n\n");
        return this;
    }

    public JobSummary Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows) =>
        MarkdownTable(headers, rows.Select(row => (IReadOnlyList<string>)row.Select(Cell).ToArray()));

    /// <summary>
    /// A table whose cells are Markdown already, each made safe by the caller: <see cref="Cell"/> for the tool's own
    /// text, an inert code span (<c>Output.InertMarkdown.Cell</c>) for text the tool did not write (an operator's reason,
    /// a command line), which must show as it is and render nothing.
    /// </summary>
    public JobSummary MarkdownTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _markdown.Append("| ").Append(string.Join(" | ", headers.Select(Cell))).Append(" |\n");
        _markdown.Append('|').Append(string.Concat(headers.Select(_ => " --- |"))).Append('\n');
        foreach (var row in rows)
        {
            _markdown.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        }

        _markdown.Append('\n');
        return this;
    }

    public JobSummary List(IEnumerable<string> items)
    {
        foreach (var item in items)
        {
            _markdown.Append("- ").Append(item).Append('\n');
        }

        _markdown.Append('\n');
        return this;
    }

    /// <summary>Another summary's Markdown, as it is, after this one's.</summary>
    public JobSummary Append(JobSummary other)
    {
        _markdown.Append(other._markdown);
        return this;
    }

    /// <summary>
    /// A collapsed section (GitHub renders <c>&lt;details&gt;</c>): <paramref name="title"/> is escaped, the body is
    /// Markdown (the blank line after the summary line lets GitHub render it).
    /// </summary>
    public JobSummary Details(string title, JobSummary body)
    {
        _markdown.Append("<details><summary>").Append(Cell(title)).Append("</summary>\n\n").Append(body._markdown).Append("</details>\n\n");
        return this;
    }

    /// <summary>Code the reader should see verbatim; fences longer than any backtick run inside.</summary>
    public JobSummary Code(string text)
    {
        var longest = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', Math.Max(3, longest + 1));
        _markdown.Append(fence).Append('\n').Append(text).Append('\n').Append(fence).Append("\n\n");
        return this;
    }

    /// <summary>The Markdown, cut on a line boundary so that it plus the note stays under <paramref name="limitBytes"/>.</summary>
    public string Render(int limitBytes = RunnerLimitBytes)
    {
        var text = _markdown.ToString();
        if (Encoding.UTF8.GetByteCount(text) <= limitBytes)
        {
            return text;
        }

        var budget = limitBytes - Encoding.UTF8.GetByteCount(TruncationNote);
        var cut = text.Length;
        while (cut > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, cut)) > budget)
        {
            cut = Math.Max(0, cut - Math.Max(1, (Encoding.UTF8.GetByteCount(text.AsSpan(0, cut)) - budget) / 4));
        }

        var lineEnd = text.LastIndexOf('\n', Math.Max(0, cut - 1));
        cut = lineEnd > 0 ? lineEnd : cut;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return text[..cut] + TruncationNote;
    }

    /// <summary>Escapes a table cell: pipes and newlines would break the row; HTML would be rendered.</summary>
    public static string Cell(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\r", string.Empty, StringComparison.Ordinal)
            .Replace("\n", "<br>", StringComparison.Ordinal);
}
