using System.Text;

namespace PolicyAction.RunnerProtocol;

/// <summary>
/// The runner's workflow commands (<c>::name key=value::data</c>) with the runner's own escaping:
/// data escapes <c>%</c>, CR and LF; property values also escape <c>:</c> and <c>,</c>.
/// </summary>
internal static class WorkflowCommands
{
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    public static string EscapeProperty(string value) =>
        EscapeData(value)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    public static string Format(string command, string message, IReadOnlyList<KeyValuePair<string, string?>>? properties = null)
    {
        var text = new StringBuilder("::").Append(command);
        var first = true;
        foreach (var (key, value) in properties ?? [])
        {
            if (value is null)
            {
                continue;
            }

            text.Append(first ? ' ' : ',').Append(key).Append('=').Append(EscapeProperty(value));
            first = false;
        }

        return text.Append("::").Append(EscapeData(message)).ToString();
    }

    public static string Error(string message, string? title = null, string? file = null, int? line = null) =>
        Annotation("error", message, title, file, line);

    public static string Warning(string message, string? title = null, string? file = null, int? line = null) =>
        Annotation("warning", message, title, file, line);

    public static string Notice(string message, string? title = null, string? file = null, int? line = null) =>
        Annotation("notice", message, title, file, line);

    public static string Group(string title) => Format("group", title);

    public static string EndGroup() => "::endgroup::";

    public static string AddMask(string secret) => Format("add-mask", secret);

    /// <summary>Stops the runner from processing commands until <see cref="ResumeCommands"/> with the same token.</summary>
    public static string StopCommands(string token) => Format("stop-commands", token);

    public static string ResumeCommands(string token) => $"::{token}::";

    /// <summary>A token nobody can guess in advance, so untrusted output cannot resume command processing.</summary>
    public static string NewStopToken() => $"policy-response-{Guid.NewGuid():N}";

    private static string Annotation(string kind, string message, string? title, string? file, int? line) =>
        Format(kind, message, [new("title", title), new("file", file), new("line", line?.ToString())]);
}
