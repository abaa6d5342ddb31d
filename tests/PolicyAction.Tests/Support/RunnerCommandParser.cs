namespace PolicyAction.Tests.Support;

/// <summary>
/// The runner's reading of a step's output for workflow commands, after actions/runner (<c>ActionCommandManager</c>,
/// <c>ActionCommand</c>): lines as <see cref="TextReader.ReadLine"/> splits them (LF, CR, CRLF); each parsed by
/// <c>TryParseV2</c> (<c>::</c> after leading white space) and, failing that, the legacy <c>TryParse</c>
/// (<c>##[</c> anywhere), for the commands the runner registers; after <c>stop-commands</c>, nothing runs until a
/// command named by its token.
/// </summary>
internal static class RunnerCommandParser
{
    private static readonly string[] Registered =
    [
        "add-mask", "add-matcher", "remove-matcher", "echo", "set-env", "set-output", "save-state", "add-path", "debug",
        "warning", "error", "notice", "group", "endgroup", "stop-commands", "internal-set-repo-path",
    ];

    /// <summary>A command the runner would run: its name, its raw data, and the line it came from.</summary>
    public sealed record Command(string Name, string Data, string Line);

    /// <summary>The commands the runner runs for this output, in order (a stop and its resume included).</summary>
    public static IReadOnlyList<Command> Parse(string output)
    {
        var registered = new HashSet<string>(Registered, StringComparer.OrdinalIgnoreCase);
        var commands = new List<Command>();
        string? stopToken = null;
        using var reader = new StringReader(output);
        while (reader.ReadLine() is { } line)
        {
            if ((TryParseV2(line, registered) ?? TryParseLegacy(line, registered)) is not { } command)
            {
                continue;
            }

            if (stopToken is not null)
            {
                if (string.Equals(command.Name, stopToken, StringComparison.OrdinalIgnoreCase))
                {
                    registered.Remove(stopToken);
                    stopToken = null;
                    commands.Add(command);
                }

                continue;
            }

            if (string.Equals(command.Name, "stop-commands", StringComparison.OrdinalIgnoreCase))
            {
                stopToken = command.Data;
                registered.Add(stopToken);
            }

            commands.Add(command);
        }

        return commands;
    }

    private static Command? TryParseV2(string line, HashSet<string> registered)
    {
        var message = line.TrimStart();
        if (!message.StartsWith("::", StringComparison.Ordinal))
        {
            return null;
        }

        var end = message.IndexOf("::", 2, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var info = message[2..end];
        var name = info.Split(' ')[0];
        return registered.Contains(name) ? new Command(name, message[(end + 2)..], line) : null;
    }

    private static Command? TryParseLegacy(string line, HashSet<string> registered)
    {
        var prefix = line.IndexOf("##[", StringComparison.Ordinal);
        if (prefix < 0)
        {
            return null;
        }

        var close = line.IndexOf(']', prefix);
        if (close < 0)
        {
            return null;
        }

        var info = line[(prefix + 3)..close];
        var name = info.Split(' ')[0];
        return registered.Contains(name) ? new Command(name, line[(close + 1)..], line) : null;
    }
}
