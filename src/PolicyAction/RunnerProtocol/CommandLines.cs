namespace PolicyAction.RunnerProtocol;

/// <summary>
/// How the runner finds workflow commands in a step's output (actions/runner <c>ActionCommand</c>): it reads lines
/// ending at LF, CR or CRLF; a line is a command when, after leading white space, it starts with <c>::</c>
/// (<c>TryParseV2</c>), or when it holds <c>##[</c> anywhere (the legacy <c>TryParse</c>).
/// </summary>
internal static class CommandLines
{
    private const string Legacy = "##[";

    /// <summary>Whether printing <paramref name="text"/> could make the runner read a command from it.</summary>
    public static bool MayIssueCommand(ReadOnlySpan<char> text)
    {
        if (text.Contains(Legacy, StringComparison.Ordinal))
        {
            return true;
        }

        while (!text.IsEmpty)
        {
            var end = text.IndexOfAny('\r', '\n');
            var line = end < 0 ? text : text[..end];
            if (line.TrimStart().StartsWith("::", StringComparison.Ordinal))
            {
                return true;
            }

            text = end < 0 ? [] : text[(end + 1)..];
        }

        return false;
    }

    /// <summary>
    /// A JSON document as the runner may read it: <c>##[</c> can occur only inside its strings (CR and LF are escaped
    /// there, and no line can start with <c>::</c>), so writing <c>[</c> as <c>\u005B</c> after <c>##</c> keeps the
    /// same document and issues nothing.
    /// </summary>
    public static string InertJson(string json) => json.Replace(Legacy, "##\\u005B", StringComparison.Ordinal);

    /// <summary>
    /// A value for one line of a commit message (or any one-line field): control characters, line and paragraph
    /// separators become spaces, so a value cannot add a trailer such as <c>Co-authored-by:</c>.
    /// </summary>
    public static string OneLine(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value ?? string.Empty;
        }

        return string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085' ? ' ' : c;
            }
        });
    }
}
