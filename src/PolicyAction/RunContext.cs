namespace PolicyAction;

/// <summary>Who runs the tool and with what environment; taken once at start-up.</summary>
internal sealed record RunContext(string Actor, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Whether standard error is a terminal a person is watching: only then are progress lines drawn.</summary>
    public bool ErrorIsTerminal { get; init; }

    public string? Variable(string name) => Environment.TryGetValue(name, out var value) ? value : null;

    /// <summary>The GitHub Actions run this process belongs to, if any; recorded in the audit log.</summary>
    public string? RunUrl => RunnerProtocol.ActionContext.FromVariablesWithoutPayload(Environment).RunUrl;

    public static RunContext FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return FromVariables(variables) with { ErrorIsTerminal = !Console.IsErrorRedirected };
    }

    public static RunContext FromVariables(IReadOnlyDictionary<string, string> variables)
    {
        var actor = variables.TryGetValue("GITHUB_ACTOR", out var githubActor) && !string.IsNullOrWhiteSpace(githubActor)
            ? githubActor
            : System.Environment.UserName;
        return new RunContext(actor, variables);
    }
}
