namespace PolicyAction;

/// <summary>Who runs the tool and with what environment; taken once at start-up.</summary>
/// <param name="Actor">Who the audit log and the trust guard take to be acting: <c>GITHUB_ACTOR</c> in a runner, else the operating-system user.</param>
internal sealed record RunContext(string Actor, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Outside a runner, the <c>GITHUB_ACTOR</c> the environment names: recorded beside the actor, never trusted as it.</summary>
    public string? ClaimedActor { get; init; }

    /// <summary>Whether the process runs in a GitHub Actions runner (<c>GITHUB_ACTIONS=true</c>), where GitHub sets who the actor is.</summary>
    public bool InRunner => IsRunner(Environment);

    public static bool IsRunner(IReadOnlyDictionary<string, string> variables) =>
        variables.TryGetValue("GITHUB_ACTIONS", out var value) && value == "true";

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

    public static RunContext FromVariables(IReadOnlyDictionary<string, string> variables) => FromVariables(variables, OperatingSystemUser.Name);

    /// <param name="operatingSystemUser">Who the operating system says runs the tool (a parameter for tests).</param>
    public static RunContext FromVariables(IReadOnlyDictionary<string, string> variables, string operatingSystemUser)
    {
        var githubActor = variables.TryGetValue("GITHUB_ACTOR", out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

        // Anyone can set GITHUB_ACTOR on their own machine; only a runner's is GitHub's word for who triggered the run.
        return IsRunner(variables)
            ? new RunContext(githubActor ?? operatingSystemUser, variables)
            : new RunContext(operatingSystemUser, variables) { ClaimedActor = githubActor };
    }
}
