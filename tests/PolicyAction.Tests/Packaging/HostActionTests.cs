using System.Security.Cryptography;
using System.Text;
using PolicyAction.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Packaging;

/// <summary>
/// host/action.yml, the composite twin of the container action: the same inputs and outputs, every input passed as the
/// runner passes it to a container action (INPUT_*), every output mapped. Its script is run under bash as the runner
/// runs a composite step, with a stand-in <c>docker</c> that serves the binary under test from a "release image", end to
/// end against the API double: the binary is taken out of the image pinned by digest and run only when its SHA-256 is
/// the pinned one.
/// </summary>
public sealed class HostActionTests : AgainstTheDouble
{
    private const string Image = "ghcr.io/octo-org/policy-response@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private static string HostFolder => Path.Combine(RepositoryRoot.Path, "host");

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node[key];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value : null;

    private static IEnumerable<(string Name, YamlMappingNode Definition)> Entries(YamlMappingNode node) =>
        node.Children.Select(c => (((YamlScalarNode)c.Key).Value!, (YamlMappingNode)c.Value));

    [Theory]
    [InlineData("host/action.yml")]
    [InlineData("examples/extended-image/action.yml")]
    public void Inputs_and_outputs_are_those_of_the_container_action(string file)
    {
        var container = CompositeActionRunner.Load(Path.Combine(RepositoryRoot.Path, "action.yml"));
        var host = CompositeActionRunner.Load(Path.Combine(RepositoryRoot.Path, file));

        static string Describe(YamlMappingNode definition) =>
            string.Join("|", definition.Children.Where(c => ((YamlScalarNode)c.Key).Value != "value").Select(c => $"{c.Key}={c.Value}"));

        Assert.Equal(
            Entries(Mapping(container, "inputs")).Select(i => (i.Name, Describe(i.Definition))),
            Entries(Mapping(host, "inputs")).Select(i => (i.Name, Describe(i.Definition))));
        Assert.Equal(
            Entries(Mapping(container, "outputs")).Select(o => (o.Name, Describe(o.Definition))),
            Entries(Mapping(host, "outputs")).Select(o => (o.Name, Describe(o.Definition))));
    }

    [Fact]
    public void Every_input_reaches_the_binary_as_INPUT_and_every_output_is_mapped_from_the_step_that_runs_it()
    {
        var host = CompositeActionRunner.Load(Path.Combine(HostFolder, "action.yml"));
        var steps = ((YamlSequenceNode)Mapping(host, "runs")["steps"]).Children.Cast<YamlMappingNode>().ToList();
        var run = Assert.Single(steps);
        Assert.Equal("run", Scalar(run, "id"));
        var env = Entries2(Mapping(run, "env")).Where(e => e.Name.StartsWith("INPUT_", StringComparison.Ordinal)).ToList();

        Assert.Equal(
            Entries(Mapping(host, "inputs")).Select(i => ("INPUT_" + i.Name.Replace(' ', '_').ToUpperInvariant(), $"${{{{ inputs.{i.Name} }}}}")),
            env);
        Assert.All(Entries(Mapping(host, "outputs")), o => Assert.Equal($"${{{{ steps.run.outputs.{o.Name} }}}}", Scalar(o.Definition, "value")));
        Assert.DoesNotContain("${{", Scalar(run, "run"), StringComparison.Ordinal);

        static IEnumerable<(string Name, string Value)> Entries2(YamlMappingNode node) =>
            node.Children.Select(c => (((YamlScalarNode)c.Key).Value!, ((YamlScalarNode)c.Value).Value!));
    }

    [Fact]
    public void The_action_file_as_committed_pins_nothing_so_only_a_release_runs()
    {
        var text = File.ReadAllText(Path.Combine(HostFolder, "action.yml"));

        Assert.Contains("        POLICY_RESPONSE_IMAGE: unreleased\n", text, StringComparison.Ordinal);
        Assert.Contains("        POLICY_RESPONSE_BINARY_SHA256: unreleased\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_apply_on_the_host_runs_the_runners_tools_with_the_jobs_environment_and_commits_like_the_container_action()
    {
        using var host = await HostAction.PinnedAsync();
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        // A program the image does not have, set up by an earlier step outside the workspace, and a credential in the job's environment.
        using var tools = new TempWorkspace();
        tools.Write("bin/team-tool", "#!/bin/sh\nenv > observed/env.txt\necho \"team-tool ran as $(id -u)\"\n");
        File.SetUnixFileMode(tools.PathOf("bin/team-tool"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        workspace.Write("observed/.keep", string.Empty);
        workspace.WithConfig("""
            version: 1
            levels:
              RED:
                - id: team_tool
                  run: ["team-tool"]
            """);
        using var runner = host.Runner(workspace, GitHubDouble).WorkflowRun();
        runner.Environment["PATH"] = $"{host.DockerFolder}:{tools.PathOf("bin")}:{System.Environment.GetEnvironmentVariable("PATH")}";
        runner.Environment["KUBECONFIG"] = "/home/runner/.kube/config";
        runner.With["auto-apply"] = "true";
        runner.With["policy"] = "RED";

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"create {Image}", host.DockerCalls().First());
        Assert.Contains("policy-response host mode: binary verified", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("team-tool ran as", result.Stdout, StringComparison.Ordinal);
        var env = workspace.Read("observed/env.txt");
        Assert.Contains("KUBECONFIG=/home/runner/.kube/config", env, StringComparison.Ordinal);
        Assert.DoesNotContain(RunnerSimulation.Token, env, StringComparison.Ordinal);
        Assert.DoesNotContain("INPUT_", env, StringComparison.Ordinal);
        Assert.DoesNotContain("GITHUB_OUTPUT", env, StringComparison.Ordinal);

        Assert.Equal(("applied", "apply"), (runner.Outputs["outcome"], runner.Outputs["mode"]));
        Assert.Equal("false", runner.Outputs["blocked"]);
        Assert.Equal("1", runner.Outputs["actions-planned"]);
        Assert.Equal("0", runner.Outputs["actions-failed"]);
        Assert.Equal(GitHubDouble.BranchHead("main"), runner.Outputs["commit-sha"]);
        Assert.Matches("^[0-9a-f-]{36}$", runner.Outputs["response-id"]);
        Assert.StartsWith($"policy-response: RED apply {runner.Outputs["response-id"]}", GitHubDouble.History("main")[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("## ✅ Applied 1 action at RED", runner.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.RequestBody is { } body && body.Contains(RunnerSimulation.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_binary_that_is_not_the_pinned_one_never_runs()
    {
        using var host = await HostAction.PinnedAsync();
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        // The image now serves another binary than the one whose SHA-256 the release pinned.
        var marker = workspace.PathOf("tampered-binary-ran");
        File.WriteAllText(host.ServedBinary, $"#!/bin/sh\ntouch '{marker}'\n");
        using var runner = host.Runner(workspace, GitHubDouble).WorkflowRun();
        runner.With["auto-apply"] = "true";

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(host.ServedBinary)));
        Assert.Contains(
            $"::error title=policy-response host mode::the binary in {Image} has SHA-256 {actual}, not the {host.PinnedSha256} pinned in host/action.yml; refusing to run it. Nothing was run.",
            result.Stdout,
            StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        Assert.Empty(GitHubDouble.Exchanges);
        Assert.Equal("", runner.Outputs["mode"]);
    }

    [Fact]
    public async Task An_unreleased_host_action_fails_closed_without_calling_docker()
    {
        using var host = await HostAction.PinnedAsync(pin: false);
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = host.Runner(workspace, GitHubDouble).WorkflowRun();

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("::error title=policy-response host mode::this ref of host/action.yml is not a release, so it pins no binary", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(host.DockerCalls());
        Assert.Empty(GitHubDouble.Exchanges);
    }

    [Fact]
    public async Task Cancelling_the_step_as_the_runner_does_reaches_the_binary_which_stops_its_action()
    {
        using var host = await HostAction.PinnedAsync();
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        workspace.Write("observed/.keep", string.Empty);
        workspace.WithConfig("""
            version: 1
            levels:
              RED:
                - id: long_running
                  run: ["/bin/sh", "-c", "echo $$ > observed/started; exec sleep 90"]
            """);
        using var runner = host.Runner(workspace, GitHubDouble).WorkflowRun();
        runner.With["auto-apply"] = "true";
        runner.With["policy"] = "RED";
        // The runner cancels a step by signalling the one process it started (SIGINT, then SIGTERM 7.5 s later), not its group.
        runner.WhileRunning = async pid =>
        {
            await WaitForFile(workspace.PathOf("observed/started"));
            Assert.Equal(0, (await ExternalProcess.RunAsync("/bin/bash", ["-c", $"kill -INT {pid}"], "/")).ExitCode);
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await runner.RunAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"the step ran {clock.Elapsed} after SIGINT; {result}");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("cancelled", result.Stdout + result.Stderr, StringComparison.Ordinal);
        var sleeper = workspace.Read("observed/started").Trim();
        Assert.False(Directory.Exists($"/proc/{sleeper}") && !File.ReadAllText($"/proc/{sleeper}/stat").Contains(") Z ", StringComparison.Ordinal), $"the action's process {sleeper} outlived the step");
    }

    [Fact]
    public async Task A_job_that_runs_its_steps_in_a_container_is_refused_before_docker_runs()
    {
        using var host = await HostAction.PinnedAsync();
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = host.Runner(workspace, GitHubDouble).WorkflowRun();
        runner.JobContainerId = "4f1c0a9b7e2d";

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("::error title=policy-response host mode::this job runs its steps in a container (jobs.<job>.container)", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(host.DockerCalls());
        Assert.Empty(GitHubDouble.Exchanges);
    }

    private static async Task WaitForFile(string path)
    {
        for (var waited = 0; !File.Exists(path); waited += 100)
        {
            Assert.True(waited < 60_000, $"{path} did not appear in 60 s");
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("ghcr.io/octo-org/policy-response:v2", "is not IMAGE@sha256")]
    [InlineData("ghcr.io/octo-org/policy-response@sha256:0F1E", "is not IMAGE@sha256")]
    public async Task An_image_not_pinned_by_a_full_digest_is_refused_before_docker_runs(string image, string message)
    {
        using var host = await HostAction.PinnedAsync();
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        var file = Path.Combine(host.Folder, "action.yml");
        File.WriteAllText(file, File.ReadAllText(file).Replace(Image, image, StringComparison.Ordinal));
        using var runner = host.Runner(workspace, GitHubDouble).WorkflowRun();

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Stdout, StringComparison.Ordinal);
        Assert.Empty(host.DockerCalls());
    }

    [Fact]
    public async Task An_image_docker_cannot_pull_fails_closed_naming_it()
    {
        using var host = await HostAction.PinnedAsync();
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = host.Runner(workspace, GitHubDouble).WorkflowRun();
        runner.Environment["STANDIN_DOCKER_IMAGE"] = "ghcr.io/someone/else@sha256:" + new string('1', 64);

        var result = await runner.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"could not pull or create {Image}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("docker: Error response from daemon: manifest unknown", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(GitHubDouble.Exchanges);
    }

    /// <summary>A copy of host/ pinned by the release's own script to a stand-in image that serves the binary under test.</summary>
    private sealed class HostAction : IDisposable
    {
        private readonly TempWorkspace _files = new();

        private HostAction()
        {
        }

        public string Folder => _files.PathOf("host");

        public string DockerFolder => _files.PathOf("docker-bin");

        public string ServedBinary => _files.PathOf("image/policy-response");

        public string PinnedSha256 { get; private set; } = string.Empty;

        private string DockerLog => _files.PathOf("docker.log");

        public static async Task<HostAction> PinnedAsync(bool pin = true)
        {
            var host = new HostAction();
            foreach (var file in Directory.GetFiles(HostFolder))
            {
                host._files.WriteBytes(Path.Combine("host", Path.GetFileName(file)), File.ReadAllBytes(file));
            }

            host.ServeBinaryUnderTest();
            host._files.Write("docker-bin/docker", """
                #!/usr/bin/env bash
                # Stand-in docker: one image (STANDIN_DOCKER_IMAGE, by digest) whose /usr/local/bin/policy-response is STANDIN_DOCKER_BINARY.
                set -euo pipefail
                echo "$*" >> "$STANDIN_DOCKER_LOG"
                case "$1" in
                  create) [ "$2" = "$STANDIN_DOCKER_IMAGE" ] || { echo "Error response from daemon: manifest unknown" >&2; exit 1; }; echo c0ffee ;;
                  cp) [ "$2" = "c0ffee:/usr/local/bin/policy-response" ] || { echo "Error: No such container:path: $2" >&2; exit 1; }; cp "$STANDIN_DOCKER_BINARY" "$3" ;;
                  rm) ;;
                  *) echo "stand-in docker: unexpected: $*" >&2; exit 1 ;;
                esac
                """);
            File.SetUnixFileMode(host._files.PathOf("docker-bin/docker"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            host.PinnedSha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(host.ServedBinary)));
            if (pin)
            {
                var script = Path.Combine(RepositoryRoot.Path, ".github", "scripts", "pin-host-action.sh");
                var pinned = await ExternalProcess.RunAsync("bash", [script, Image, host.PinnedSha256, "host/action.yml"], host._files.Root);
                Assert.True(pinned.ExitCode == 0, pinned.ToString());
            }

            return host;
        }

        public CompositeActionRunner Runner(TempWorkspace workspace, PolicyAction.GitHubEmulator.GitHubEmulator github)
        {
            var runner = new CompositeActionRunner(Folder, workspace);
            runner.Environment["GITHUB_API_URL"] = github.BaseAddress.ToString();
            runner.Environment[PolicyAction.ActionHost.ActionSettings.WriteIntervalVariable] = "0s";
            runner.Environment["PATH"] = $"{DockerFolder}:{System.Environment.GetEnvironmentVariable("PATH")}";
            runner.Environment["STANDIN_DOCKER_LOG"] = DockerLog;
            runner.Environment["STANDIN_DOCKER_IMAGE"] = Image;
            runner.Environment["STANDIN_DOCKER_BINARY"] = ServedBinary;
            runner.With["command"] = "run";
            return runner;
        }

        public string[] DockerCalls() => File.Exists(DockerLog) ? File.ReadAllLines(DockerLog) : [];

        public void Dispose() => _files.Dispose();

        /// <summary>The Native AOT binary when the suite runs against it; else a launcher of the JIT build beside the tests.</summary>
        private void ServeBinaryUnderTest()
        {
            if (ProcessCli.NativeBinary is { } native)
            {
                _files.WriteBytes("image/policy-response", File.ReadAllBytes(native));
            }
            else
            {
                var dotnet = (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
                    .Select(folder => Path.Combine(folder, "dotnet")).First(File.Exists);
                var assembly = Path.Combine(AppContext.BaseDirectory, "policy-response.dll");
                // bash, not sh: dash drops variables whose names are not shell identifiers (INPUT_AUTO-APPLY); bash keeps them.
                _files.Write("image/policy-response", $"#!/usr/bin/env bash\nexec '{dotnet}' '{assembly}' \"$@\"\n");
            }

            File.SetUnixFileMode(ServedBinary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
