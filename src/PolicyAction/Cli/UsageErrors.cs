using System.CommandLine;

namespace PolicyAction.Cli;

/// <summary>
/// Parse errors said as what to do: a mistyped command gets the nearest one, a command group given alone lists its
/// subcommands, instead of System.CommandLine's "Required command was not provided".
/// </summary>
internal static class UsageErrors
{
    public static IReadOnlyList<string> Describe(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToArray();
        var path = CommandPath(parsed);
        if (subcommands.Length > 0 && parsed.CommandResult.Children.OfType<System.CommandLine.Parsing.CommandResult>().Any() is false)
        {
            var names = string.Join(", ", subcommands.Select(c => c.Name));
            if (parsed.UnmatchedTokens.Count > 0 && parsed.UnmatchedTokens[0] is var typed && !typed.StartsWith('-'))
            {
                var nearest = Nearest(typed, subcommands.Select(c => c.Name));
                return [nearest is null
                    ? $"'{typed}' is not a command of {path}; its commands: {names}"
                    : $"'{typed}' is not a command of {path}; did you mean '{nearest}'? Its commands: {names}"];
            }

            if (parsed.UnmatchedTokens.Count == 0)
            {
                return [$"{path} needs a command: {string.Join("; ", subcommands.Select(c => $"{c.Name} ({FirstSentence(c.Description)})"))}"];
            }
        }

        return parsed.Errors.Select(e => e.Message).ToArray();
    }

    /// <summary>The command as typed so far, e.g. "policy-response brake".</summary>
    public static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "policy-response" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>The closest name within a small edit distance (a typo, not another word); null when none is.</summary>
    public static string? Nearest(string typed, IEnumerable<string> names)
    {
        var best = names
            .Select(name => (Name: name, Distance: Distance(typed.ToLowerInvariant(), name)))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(1, Math.Min(3, best.Name.Length / 3)) ? best.Name : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string FirstSentence(string? description)
    {
        var text = description ?? string.Empty;
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? text[..end] : text).TrimEnd('.');
    }
}
