using System.Text;

namespace PolicyAction.Output;

/// <summary>A plain-text table with padded columns, for terminals and logs.</summary>
internal static class TextTable
{
    /// <param name="headers">Column titles, underlined; null for a table of rows only (the first row sets the column count).</param>
    public static string Render(IReadOnlyList<string>? headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>>();
        if (headers is not null)
        {
            all.Add(headers);
        }

        all.AddRange(rows);
        var columns = headers?.Count ?? (all.Count == 0 ? 0 : all[0].Count);
        var widths = new int[columns];
        foreach (var row in all)
        {
            for (var i = 0; i < columns; i++)
            {
                widths[i] = Math.Max(widths[i], i < row.Count ? row[i].Length : 0);
            }
        }

        var text = new StringBuilder();
        for (var r = 0; r < all.Count; r++)
        {
            var row = all[r];
            for (var i = 0; i < columns; i++)
            {
                var cell = i < row.Count ? row[i] : string.Empty;
                text.Append(i == columns - 1 ? cell : cell.PadRight(widths[i] + 2));
            }

            text.Append('\n');
            if (r == 0 && headers is not null)
            {
                for (var i = 0; i < columns; i++)
                {
                    text.Append(new string('-', widths[i])).Append(i == columns - 1 ? string.Empty : "  ");
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>An argv shown the way a POSIX shell user would read it (display only; it is never run by a shell).</summary>
    public static string Quote(IEnumerable<string> argv) => string.Join(' ', argv.Select(QuoteOne));

    private static string QuoteOne(string argument)
    {
        if (argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal)))
        {
            return argument;
        }

        if (!argument.Any(char.IsControl))
        {
            return "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        }

        // ANSI-C quoting: a newline in an argument must never start a new line of our output
        // (a line starting with '::' would be a workflow command).
        var text = new StringBuilder("$'");
        foreach (var c in argument)
        {
            text.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => "\\'",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return text.Append('\'').ToString();
    }
}
