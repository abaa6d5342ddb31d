using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Support;

/// <summary>
/// Runs a composite action (host/action.yml) the way the runner does: the inputs with their defaults, each step's
/// <c>env:</c> evaluated, its <c>run:</c> written to a file and started as <c>bash --noprofile --norc -eo pipefail FILE</c>
/// in the workspace, with a GITHUB_OUTPUT file of its own and GITHUB_ACTION_PATH; then the action's outputs from the
/// steps' outputs. Only the expressions host/action.yml needs are understood; any other fails the test, so the file
/// stays that simple.
/// </summary>
internal sealed partial class CompositeActionRunner : IDisposable
{
    private readonly TempWorkspace _runnerFiles = new();
    private readonly string _actionFolder;

    public CompositeActionRunner(string actionFolder, TempWorkspace workspace)
    {
        _actionFolder = actionFolder;
        Workspace = workspace;
    }

    public TempWorkspace Workspace { get; }

    /// <summary>The job's environment beyond the runner's defaults (a null value removes a variable).</summary>
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The step's <c>with:</c>.</summary>
    public Dictionary<string, string> With { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Outputs { get; } = new(StringComparer.Ordinal);

    public string Summary { get; private set; } = string.Empty;

    public string RunnerTemp => _runnerFiles.PathOf("runner_temp");

    /// <summary>Called with the pid of the process the runner started for the step (the one it signals on cancel).</summary>
    public Func<int, Task>? WhileRunning { get; set; }

    /// <summary>The id of the job's container (<c>job.container.id</c>), empty when the job runs on the runner.</summary>
    public string JobContainerId { get; set; } = string.Empty;

    /// <summary>What the runner gives <c>github.action_repository</c> and <c>github.action_ref</c>: the action as <c>uses:</c> named it.</summary>
    public string ActionRepository { get; set; } = "org/policy-response";

    public string ActionRef { get; set; } = "v2";

    public CompositeActionRunner WorkflowRun()
    {
        var simulation = new RunnerSimulation(Workspace).WorkflowRun();
        foreach (var (name, value) in simulation.Environment)
        {
            Environment[name] = value;
        }

        return this;
    }

    public async Task<CliResult> RunAsync()
    {
        var action = Load(Path.Combine(_actionFolder, "action.yml"));
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var job = JobEnvironment();
        foreach (var (key, value) in (YamlMappingNode)action["inputs"])
        {
            var name = ((YamlScalarNode)key).Value!;
            var definition = (YamlMappingNode)value;
            var fallback = definition.Children.TryGetValue("default", out var given) ? ((YamlScalarNode)given).Value ?? string.Empty : string.Empty;
            inputs[name] = With.TryGetValue(name, out var set) ? set : Evaluate(fallback, inputs, new Dictionary<string, Dictionary<string, string>>());
        }

        var stepOutputs = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var runs = (YamlMappingNode)action["runs"];
        Assert.Equal("composite", ((YamlScalarNode)runs["using"]).Value);
        var output = new System.Text.StringBuilder();
        var error = new System.Text.StringBuilder();
        var exitCode = 0;
        var index = 0;
        foreach (var step in ((YamlSequenceNode)runs["steps"]).Children.Cast<YamlMappingNode>())
        {
            index++;
            Assert.Equal("bash", ((YamlScalarNode)step["shell"]).Value);
            var script = _runnerFiles.PathOf($"step-{index}.sh");
            File.WriteAllText(script, ((YamlScalarNode)step["run"]).Value);
            var outputFile = _runnerFiles.PathOf($"step-{index}-output");
            var summaryFile = _runnerFiles.PathOf($"step-{index}-summary");
            File.WriteAllText(outputFile, string.Empty);
            File.WriteAllText(summaryFile, string.Empty);

            var environment = new Dictionary<string, string?>(job, StringComparer.Ordinal)
            {
                ["GITHUB_ACTION_PATH"] = _actionFolder,
                ["GITHUB_OUTPUT"] = outputFile,
                ["GITHUB_STEP_SUMMARY"] = summaryFile,
            };
            if (step.Children.TryGetValue("env", out var env))
            {
                foreach (var (key, value) in (YamlMappingNode)env)
                {
                    environment[((YamlScalarNode)key).Value!] = Evaluate(((YamlScalarNode)value).Value ?? string.Empty, inputs, stepOutputs);
                }
            }

            var start = new System.Diagnostics.ProcessStartInfo("bash", ["--noprofile", "--norc", "-eo", "pipefail", script]) { WorkingDirectory = Workspace.Root };
            var result = await ExternalProcess.RunAsync(start, environment, TimeSpan.FromSeconds(120), WhileRunning);
            output.Append(result.Stdout);
            error.Append(result.Stderr);
            Summary += File.ReadAllText(summaryFile);
            if (step.Children.TryGetValue("id", out var id))
            {
                stepOutputs[((YamlScalarNode)id).Value!] = RunnerSimulation.ParseOutputs(File.ReadAllText(outputFile));
            }

            if (result.ExitCode != 0)
            {
                exitCode = result.ExitCode;
                break;
            }
        }

        foreach (var (key, value) in (YamlMappingNode)action["outputs"])
        {
            Outputs[((YamlScalarNode)key).Value!] = Evaluate(((YamlScalarNode)((YamlMappingNode)value)["value"]).Value!, inputs, stepOutputs);
        }

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public void Dispose() => _runnerFiles.Dispose();

    internal static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private Dictionary<string, string?> JobEnvironment()
    {
        Directory.CreateDirectory(RunnerTemp);
        var environment = RunnerSimulation.JobEnvironment(Workspace.Root);
        environment["RUNNER_TEMP"] = RunnerTemp;
        environment["POLICY_AUTO_APPLY"] = null;
        environment[ProcessCli.UnderTestVariable] = null;
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith("INPUT_", StringComparison.Ordinal)))
        {
            environment[name] = null;
        }

        foreach (var (name, value) in Environment)
        {
            environment[name] = value;
        }

        return environment;
    }

    private string Evaluate(string text, Dictionary<string, string> inputs, Dictionary<string, Dictionary<string, string>> steps) =>
        Expression().Replace(text, match =>
        {
            var path = match.Groups[1].Value.Split('.');
            return path switch
            {
                ["inputs", var name] => inputs.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"no input {name}"),
                ["github", "token"] => RunnerSimulation.Token,
                ["github", "action_path"] => _actionFolder,
                ["github", "action_repository"] => ActionRepository,
                ["github", "action_ref"] => ActionRef,
                ["job", "container", "id"] => JobContainerId,
                ["steps", var id, "outputs", var name] => steps.TryGetValue(id, out var outputs) && outputs.TryGetValue(name, out var value) ? value : string.Empty,
                _ => throw new InvalidOperationException($"the composite runner in the tests does not know the expression {match.Value}"),
            };
        });

    [GeneratedRegex(@"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")]
    private static partial Regex Expression();
}
