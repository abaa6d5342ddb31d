using System.Text.Json;

namespace PolicyAction.RunnerProtocol;

/// <summary>The <c>workflow_run</c> that triggered us: what ran, how it ended, and where its code came from.</summary>
/// <param name="Id">The run's id; null unless the payload gives a whole number above 0 (never a guess the re-run check would key on).</param>
/// <param name="RunAttempt">The attempt, read as <paramref name="Id"/> is.</param>
internal sealed record WorkflowRunInfo(long? Id, int? RunAttempt, string? Conclusion, string? HeadRepository, string? HeadBranch, string? HeadSha, string? Name)
{
    /// <summary>When this attempt of the triggering run started (<c>run_started_at</c>, else <c>created_at</c>), by GitHub's clock.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>
/// What the runner tells a container action about the run: the <c>GITHUB_*</c> variables and the event
/// payload at <c>GITHUB_EVENT_PATH</c>. A payload that is named but unreadable fails closed.
/// </summary>
internal sealed record ActionContext
{
    public const string DefaultApiUrl = "https://api.github.com";
    public const string DefaultServerUrl = RunContext.DefaultServerUrl;

    public bool IsGitHubActions { get; init; }

    public string? EventName { get; init; }

    public string? Repository { get; init; }

    public string ApiUrl { get; init; } = DefaultApiUrl;

    public string ServerUrl { get; init; } = DefaultServerUrl;

    public string? RunId { get; init; }

    public string? RunAttempt { get; init; }

    public string? Actor { get; init; }

    public string? Workflow { get; init; }

    /// <summary>The ref the workflow ran for (<c>GITHUB_REF</c>, e.g. <c>refs/heads/main</c>): what the job's checkout holds by default.</summary>
    public string? Ref { get; init; }

    public WorkflowRunInfo? WorkflowRun { get; init; }

    /// <summary>
    /// This action's repository and ref as the workflow's <c>uses:</c> named them (<c>org/policy-response</c>, <c>v2</c>):
    /// host mode's step passes <c>POLICY_RESPONSE_ACTION_REPOSITORY</c>/<c>_REF</c> from <c>github.action_repository</c>/<c>_ref</c>
    /// (a composite's run step sees the runner's empty); else the runner's <c>GITHUB_ACTION_REPOSITORY</c>/<c>_REF</c>;
    /// null when either is unknown (a local <c>uses: ./</c>, a <c>docker://</c> image, or a runner that leaves them empty).
    /// </summary>
    public (string Repository, string Ref)? Action { get; init; }

    /// <summary>The repository's default branch, from the event payload (saves an API request).</summary>
    public string? DefaultBranch { get; init; }

    public IReadOnlyDictionary<string, string> DispatchInputs { get; init; } = new Dictionary<string, string>();

    /// <summary>A link to this run's page, when the runner told us enough to build one.</summary>
    public string? RunUrl => RunContext.RunUrlOf(ServerUrl, Repository, RunId, RunAttempt);

    public static ActionContext FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var context = FromVariablesWithoutPayload(environment);
        return environment.TryGetValue("GITHUB_EVENT_PATH", out var eventPath) && eventPath.Length > 0 ? context.WithPayload(eventPath) : context;
    }

    /// <summary>The <c>GITHUB_*</c> variables only; the payload file is not read.</summary>
    public static ActionContext FromVariablesWithoutPayload(IReadOnlyDictionary<string, string> environment)
    {
        string? Get(string name) => environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        (string, string)? Pair(string repositoryVariable, string refVariable) =>
            Get(repositoryVariable) is { } repository && Get(refVariable) is { } reference ? (repository, reference) : null;

        return new ActionContext
        {
            IsGitHubActions = RunContext.IsRunner(environment),
            EventName = Get("GITHUB_EVENT_NAME"),
            Repository = Get("GITHUB_REPOSITORY"),
            ApiUrl = Get("GITHUB_API_URL") ?? DefaultApiUrl,
            ServerUrl = Get("GITHUB_SERVER_URL") ?? DefaultServerUrl,
            RunId = Get("GITHUB_RUN_ID"),
            RunAttempt = Get("GITHUB_RUN_ATTEMPT"),
            Actor = Get("GITHUB_ACTOR"),
            Workflow = Get("GITHUB_WORKFLOW"),
            Ref = Get("GITHUB_REF"),
            Action = Pair("POLICY_RESPONSE_ACTION_REPOSITORY", "POLICY_RESPONSE_ACTION_REF") ?? Pair("GITHUB_ACTION_REPOSITORY", "GITHUB_ACTION_REF"),
        };
    }

    private ActionContext WithPayload(string path)
    {
        JsonDocument document;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new StateFileException(path, "GITHUB_EVENT_PATH names this event payload, but it does not exist");
            }

            if (info.Length > 32 * 1024 * 1024)
            {
                throw new StateFileException(path, "the event payload is larger than 32 MiB");
            }

            var bytes = File.ReadAllBytes(path);

            // JsonDocument defers decoding strings; invalid UTF-8 inside one would surface later as a crash, not an error.
            if (State.StrictUtf8.FirstInvalidByte(bytes) is { } offset)
            {
                throw new StateFileException(path, $"the event payload is not valid UTF-8 (byte {offset})");
            }

            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                var problem = State.JsonProblem.ExplainSyntax(bytes, default)?.ToString() ?? "it holds no JSON value";
                throw new StateFileException(path, $"the event payload is not valid JSON: {problem}", e);
            }

            // Valid JSON, yet a string that is not text: it would throw wherever it is first read.
            if (State.StrictUtf8.FirstLoneSurrogateEscape(bytes) is { } escape)
            {
                document.Dispose();
                throw new StateFileException(path, $"the event payload is not valid text: a string holds a lone UTF-16 surrogate escape (byte {escape})");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(path, $"the event payload cannot be read: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StateFileException(path, "the event payload is not a JSON object");
            }

            var result = this;
            if (root.TryGetProperty("workflow_run", out var run) && run.ValueKind == JsonValueKind.Object)
            {
                result = result with
                {
                    WorkflowRun = new WorkflowRunInfo(
                        PositiveNumber(run, "id"),
                        PositiveNumber(run, "run_attempt") is { } attempt and <= int.MaxValue ? (int)attempt : null,
                        Text(run, "conclusion"),
                        run.TryGetProperty("head_repository", out var head) && head.ValueKind == JsonValueKind.Object ? Text(head, "full_name") : null,
                        Text(run, "head_branch"),
                        Text(run, "head_sha"),
                        Text(run, "name"))
                    {
                        StartedAt = Time(run, "run_started_at") ?? Time(run, "created_at"),
                    },
                };
            }

            if (root.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.Object && Text(repository, "default_branch") is { Length: > 0 } defaultBranch)
            {
                result = result with { DefaultBranch = defaultBranch };
            }

            if (root.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Object)
            {
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var input in inputs.EnumerateObject())
                {
                    values[input.Name] = input.Value.ValueKind switch
                    {
                        JsonValueKind.String => input.Value.GetString()!,
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => input.Value.GetRawText(),
                    };
                }

                result = result with { DispatchInputs = values };
            }

            return result;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        Text(element, name) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>A whole number above 0; null for anything else (missing, text, a fraction such as <c>1.0</c>, 0 or less).</summary>
    private static long? PositiveNumber(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number > 0 ? number : null;
}
