using System.Text.Json.Nodes;

namespace PolicyAction.Tests.Support;

/// <summary>
/// Runs the built tool the way the runner runs a container action: INPUT_* variables, GITHUB_* context,
/// an event payload file, and fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
/// </summary>
internal sealed class RunnerSimulation : IDisposable
{
    public const string Token = "ghs_FAKE0123456789abcdefTOKEN";

    private readonly TempWorkspace _runnerFiles = new();

    public RunnerSimulation(TempWorkspace workspace)
    {
        Workspace = workspace;
    }

    public TempWorkspace Workspace { get; }

    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    public string OutputFile => _runnerFiles.PathOf("github_output");

    public string SummaryFile => _runnerFiles.PathOf("step_summary");

    public static string SharedPayload(string name) => Path.Combine(RepositoryRoot.Path, "..", "shared", "webhook-payloads", name);

    /// <summary>The real workflow_run payload, edited as a test needs.</summary>
    public RunnerSimulation WorkflowRun(string conclusion = "success", string headRepository = "octo-org/octo-repo", long runId = 289782451, int attempt = 1)
    {
        var payload = JsonNode.Parse(File.ReadAllText(SharedPayload("workflow_run.completed.json")))!;
        payload["workflow_run"]!["conclusion"] = conclusion;
        payload["workflow_run"]!["head_repository"]!["full_name"] = headRepository;
        payload["workflow_run"]!["id"] = runId;
        payload["workflow_run"]!["run_attempt"] = attempt;
        payload["repository"]!["default_branch"] = "main";
        return Event("workflow_run", payload.ToJsonString());
    }

    public RunnerSimulation Event(string name, string payload)
    {
        var path = _runnerFiles.PathOf($"event-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, payload);
        Environment["GITHUB_EVENT_NAME"] = name;
        Environment["GITHUB_EVENT_PATH"] = path;
        return this;
    }

    public RunnerSimulation Input(string name, string value)
    {
        Environment["INPUT_" + name.Replace(' ', '_').ToUpperInvariant()] = value;
        return this;
    }

    public async Task<CliResult> RunAsync(string command = "action") =>
        await ProcessCli.RunAsync(Workspace.Root, StepEnvironment(), command);

    /// <summary>
    /// Runs the step in this process on <paramref name="clock"/>: what depends on the time (gate details, records'
    /// timestamps, the plan digest) comes out the same every run, for approval tests of what the step writes.
    /// </summary>
    public Task<CliResult> RunInProcessAsync(TimeProvider clock, string command = "action") =>
        CliHarness.RunAsync(
            Workspace,
            StepEnvironment().Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!, StringComparer.Ordinal),
            clock,
            null,
            command);

    /// <summary>The step's environment: the job's, fresh output and summary files, the action's defaults, then this test's.</summary>
    private Dictionary<string, string?> StepEnvironment()
    {
        File.WriteAllText(OutputFile, string.Empty);
        File.WriteAllText(SummaryFile, string.Empty);
        var environment = JobEnvironment(Workspace.Root);
        environment["GITHUB_OUTPUT"] = OutputFile;
        environment["GITHUB_STEP_SUMMARY"] = SummaryFile;
        environment["GITHUB_TOKEN"] = Token;
        environment["INPUT_GITHUB-TOKEN"] = Token;
        // Stages that need GitHub (alerts, commits) are tested against the API double.
        environment["INPUT_COMMAND"] = "respond";
        environment["INPUT_AUTO-APPLY"] = "false";
        environment["INPUT_CONFIG"] = ".github/policy-response.yml";
        environment["INPUT_COMMIT-ARTIFACTS"] = "false";
        foreach (var (name, value) in Environment)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>The GitHub context the runner gives every step of a job in this workspace.</summary>
    public static Dictionary<string, string?> JobEnvironment(string workspace) => new(StringComparer.Ordinal)
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_WORKSPACE"] = workspace,
        ["GITHUB_REPOSITORY"] = "octo-org/octo-repo",
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_API_URL"] = "http://127.0.0.1:9/",
        ["GITHUB_RUN_ID"] = "9001",
        ["GITHUB_RUN_ATTEMPT"] = "1",
        ["GITHUB_ACTOR"] = "octocat",
    };

    /// <summary>The outputs written to GITHUB_OUTPUT, parsed the way the runner parses heredocs.</summary>
    public Dictionary<string, string> Outputs() => ParseOutputs(File.ReadAllText(OutputFile));

    /// <summary>A GITHUB_OUTPUT file's NAME&lt;&lt;DELIMITER heredocs, as the runner reads them.</summary>
    public static Dictionary<string, string> ParseOutputs(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = lines[i].IndexOf("<<", StringComparison.Ordinal);
            if (marker <= 0)
            {
                continue;
            }

            var name = lines[i][..marker];
            var delimiter = lines[i][(marker + 2)..];
            var value = new List<string>();
            for (i++; lines[i] != delimiter; i++)
            {
                value.Add(lines[i]);
            }

            result[name] = string.Join('\n', value);
        }

        return result;
    }

    public string Summary() => File.ReadAllText(SummaryFile);

    public void Dispose() => _runnerFiles.Dispose();
}
