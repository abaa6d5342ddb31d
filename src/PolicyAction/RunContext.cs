namespace PolicyAction;

/// <summary>Who runs the tool and with what environment; taken once at start-up.</summary>
internal sealed record RunContext(string Actor, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Whether standard error is a terminal a person is watching: only then are progress lines drawn.</summary>
    public bool ErrorIsTerminal { get; init; }

    public string? Variable(string name) => Environment.TryGetValue(name, out var value) ? value : null;

    /// <summary>The GitHub Actions run this process belongs to, if any; recorded in the audit log.</summary>
    public string? RunUrl => RunUrlOf(
        Variable("GITHUB_SERVER_URL") is { Length: > 0 } server ? server : DefaultServerUrl,
        Variable("GITHUB_REPOSITORY") is { Length: > 0 } repository ? repository : null,
        Variable("GITHUB_RUN_ID") is { Length: > 0 } runId ? runId : null,
        Variable("GITHUB_RUN_ATTEMPT"));

    public const string DefaultServerUrl = "https://github.com";

    /// <summary>A workflow run's page (its attempt's, after a re-run); null outside a run.</summary>
    public static string? RunUrlOf(string serverUrl, string? repository, string? runId, string? runAttempt) =>
        repository is null || runId is null
            ? null
            : $"{serverUrl.TrimEnd('/')}/{repository}/actions/runs/{runId}" + (runAttempt is { Length: > 0 } attempt && attempt != "1" ? $"/attempts/{attempt}" : string.Empty);

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
