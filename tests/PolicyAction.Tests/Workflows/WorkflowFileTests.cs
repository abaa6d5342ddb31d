using System.Text.RegularExpressions;
using PolicyAction.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Workflows;

/// <summary>
/// Rules for action.yml, the example workflows (workflows/*.yml) and this repository's own (.github/workflows/*.yml)
/// that GitHub's parser and actionlint do not enforce.
/// </summary>
public partial class WorkflowFileTests
{
    /// <summary>Every workflow file, as a path relative to the repository root.</summary>
    public static TheoryData<string> WorkflowFiles()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "workflows", ".github/workflows" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, folder), "*.yml").Order(StringComparer.Ordinal))
            {
                data.Add($"{folder}/{Path.GetFileName(file)}");
            }
        }

        return data;
    }

    internal static YamlMappingNode Load(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot.Path, relative))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    internal static IEnumerable<YamlMappingNode> Steps(YamlMappingNode workflow) =>
        ((YamlMappingNode)workflow["jobs"]).Children.Values.Cast<YamlMappingNode>()
            .Where(job => job.Children.ContainsKey("steps"))
            .SelectMany(job => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>());

    [Fact]
    public void The_four_example_workflows_exist()
    {
        Assert.Equal(["policy_control.yml", "policy_orchestration.yml", "policy_orchestration_alerts.yml", "policy_response_runner.yml"], Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "workflows"), "*.yml").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void No_expression_is_expanded_inside_a_run_script(string file)
    {
        foreach (var step in Steps(Load(file)))
        {
            if (step.Children.TryGetValue("run", out var run))
            {
                Assert.DoesNotContain("${{", ((YamlScalarNode)run).Value, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void Every_action_is_pinned_to_a_full_commit_sha(string file)
    {
        foreach (var step in Steps(Load(file)))
        {
            if (step.Children.TryGetValue("uses", out var uses))
            {
                Assert.Matches(PinnedAction(), ((YamlScalarNode)uses).Value!);
            }
        }
    }

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void Top_level_permissions_grant_nothing_and_jobs_ask_for_what_they_need(string file)
    {
        var workflow = Load(file);

        Assert.True(workflow.Children.ContainsKey("permissions"), $"{file} has no top-level permissions");
        var permissions = workflow["permissions"];
        Assert.True(
            permissions is YamlMappingNode { Children.Count: 0 }
            || (permissions is YamlScalarNode scalar && scalar.Value is "read-all" or "{}")
            || (permissions is YamlMappingNode map && map.Children.Values.All(v => ((YamlScalarNode)v).Value is "read" or "none")),
            $"{file}: top-level permissions must be empty or read-only");
    }

    [Fact]
    public void The_runner_workflow_applies_only_on_success_of_the_same_repository_and_behind_an_environment()
    {
        var workflow = Load("workflows/policy_response_runner.yml");
        var job = (YamlMappingNode)((YamlMappingNode)workflow["jobs"])["respond"];
        var condition = ((YamlScalarNode)job["if"]).Value!;

        Assert.Contains("github.event.workflow_run.conclusion == 'success'", condition, StringComparison.Ordinal);
        Assert.Contains("github.event.workflow_run.head_repository.full_name == github.repository", condition, StringComparison.Ordinal);
        Assert.Contains("policy-apply", ((YamlScalarNode)job["environment"]).Value, StringComparison.Ordinal);
        var dispatch = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)workflow["on"])["workflow_dispatch"])["inputs"];
        var autoApply = (YamlMappingNode)dispatch["auto_apply"];
        Assert.Equal(("boolean", "false"), (((YamlScalarNode)autoApply["type"]).Value, ((YamlScalarNode)autoApply["default"]).Value));
        Assert.True(workflow.Children.ContainsKey("concurrency"));
    }

    [Fact]
    public void The_orchestration_evaluates_daily_through_the_action_and_commits_with_it_not_with_git_push()
    {
        var workflow = Load("workflows/policy_orchestration.yml");
        var on = (YamlMappingNode)workflow["on"];
        Assert.Equal(["schedule", "workflow_dispatch"], on.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var cron = (YamlMappingNode)((YamlSequenceNode)on["schedule"]).Children.Single();
        Assert.Equal("45 4 * * *", ((YamlScalarNode)cron["cron"]).Value);

        // The response runner follows it by name.
        var runnerOn = (YamlMappingNode)Load("workflows/policy_response_runner.yml")["on"];
        var followed = (YamlSequenceNode)((YamlMappingNode)runnerOn["workflow_run"])["workflows"];
        Assert.Equal(((YamlScalarNode)workflow["name"]).Value, ((YamlScalarNode)followed.Children.Single()).Value);

        // Least privilege: committing, and reading the runs of the example workflow_runs signal; the rest commented.
        var job = SingleJob(workflow);
        Assert.Equal(
            [("contents", "write"), ("actions", "read")],
            ((YamlMappingNode)job["permissions"]).Children.Select(p => (((YamlScalarNode)p.Key).Value, ((YamlScalarNode)p.Value).Value)));
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "workflows", "policy_orchestration.yml"));
        foreach (var permission in new[] { "security-events: read", "checks: read", "statuses: read", "issues: read" })
        {
            Assert.Matches($@"\n\s+# {permission}  # for \w+", text);
        }

        // The action computes and commits the level (its branch commit retries on top of a response's commit); no
        // step of its own writes or pushes anything.
        var steps = Steps(workflow).ToArray();
        Assert.DoesNotContain(steps, s => s.Children.ContainsKey("run"));
        var action = steps.Single(s => ((YamlScalarNode)s["uses"]).Value!.StartsWith("org/policy-response@", StringComparison.Ordinal));
        var with = ((YamlMappingNode)action["with"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value);
        Assert.Equal("evaluate", with["command"]);
        Assert.Equal("true", with["commit-artifacts"]);
        Assert.Contains(with["command"], PolicyAction.ActionHost.ActionSettings.Commands);
        var checkout = steps.Single(s => ((YamlScalarNode)s["uses"]).Value!.StartsWith("actions/checkout@", StringComparison.Ordinal));
        Assert.Equal("false", ((YamlScalarNode)((YamlMappingNode)checkout["with"])["persist-credentials"]).Value);
    }

    [Fact]
    public void The_control_workflow_is_dispatched_by_hand_stops_without_queueing_and_waits_for_reviewers_only_to_release()
    {
        var workflow = Load("workflows/policy_control.yml");
        var on = (YamlMappingNode)workflow["on"];
        Assert.Equal(["workflow_dispatch"], on.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var inputs = (YamlMappingNode)((YamlMappingNode)on["workflow_dispatch"])["inputs"];
        var command = (YamlMappingNode)inputs["command"];
        Assert.Equal("choice", ((YamlScalarNode)command["type"]).Value);
        Assert.Equal(
            PolicyAction.ActionHost.ActionSettings.Commands.Skip((int)PolicyAction.ActionHost.ActionCommand.BrakeEngage),
            ((YamlSequenceNode)command["options"]).Children.Select(o => ((YamlScalarNode)o).Value));
        var reason = (YamlMappingNode)inputs["reason"];
        Assert.Equal(("string", "true"), (((YamlScalarNode)reason["type"]).Value, ((YamlScalarNode)reason["required"]).Value));
        Assert.Equal(["command", "reason", "lock_id", "response_id"], inputs.Children.Keys.Select(k => ((YamlScalarNode)k).Value));

        // Stopping never queues behind a response (a run waiting for approval holds its group, and GitHub keeps one
        // pending run per group): a group of its own run. Everything else shares the response runner's group.
        var concurrency = (YamlMappingNode)workflow["concurrency"];
        var runnerGroup = ((YamlScalarNode)((YamlMappingNode)Load("workflows/policy_response_runner.yml")["concurrency"])["group"]).Value;
        var options = ((YamlSequenceNode)command["options"]).Children.Select(o => ((YamlScalarNode)o).Value!).ToArray();
        foreach (var option in options.Append("Brake-Engage").Append("unforeseen"))
        {
            // GitHub compares strings ignoring case (a choice input only ever holds an option; the action then matches exactly).
            var stop = string.Equals(option, "brake-engage", StringComparison.OrdinalIgnoreCase) || option == "trust-lock";
            Assert.Equal(stop ? "policy-stop-4242" : runnerGroup, SelectByCommand(((YamlScalarNode)concurrency["group"]).Value!, option, runId: "4242"));
            Assert.Equal(stop ? "policy-control" : "policy-apply", SelectByCommand(((YamlScalarNode)SingleJob(workflow)["environment"]).Value!, option, runId: "4242"));
        }

        Assert.Equal("false", ((YamlScalarNode)concurrency["cancel-in-progress"]).Value);

        var controlJob = SingleJob(workflow);
        var permissions = (YamlMappingNode)controlJob["permissions"];
        Assert.Equal([("contents", "write")], permissions.Children.Select(p => (((YamlScalarNode)p.Key).Value, ((YamlScalarNode)p.Value).Value)));

        // Only the engaging commands skip the reviewers; everything else (and anything unforeseen) waits for them.
        Assert.Equal(
            "${{ (inputs.command == 'brake-engage' || inputs.command == 'trust-lock') && 'policy-control' || 'policy-apply' }}",
            ((YamlScalarNode)controlJob["environment"]).Value);

        var steps = Steps(workflow).ToArray();
        var checkout = steps.Single(s => ((YamlScalarNode)s["uses"]).Value!.StartsWith("actions/checkout@", StringComparison.Ordinal));
        Assert.Equal("false", ((YamlScalarNode)((YamlMappingNode)checkout["with"])["persist-credentials"]).Value);
        var action = steps.Single(s => ((YamlScalarNode)s["uses"]).Value!.StartsWith("org/policy-response@", StringComparison.Ordinal));
        var with = ((YamlMappingNode)action["with"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value);
        Assert.Equal("${{ inputs.command }}", with["command"]);
        Assert.Equal("${{ inputs.reason }}", with["reason"]);
        Assert.Equal("${{ inputs.lock_id }}", with["lock-id"]);
        Assert.Equal("${{ inputs.response_id }}", with["response-id"]);
        Assert.DoesNotContain(steps, s => s.Children.ContainsKey("run"));
    }

    [Fact]
    public void The_action_declares_the_control_inputs()
    {
        var inputs = (YamlMappingNode)Load("action.yml")["inputs"];
        foreach (var name in new[] { "reason", "lock-id", "response-id" })
        {
            var input = (YamlMappingNode)inputs[name];
            Assert.Equal(("false", string.Empty), (((YamlScalarNode)input["required"]).Value, ((YamlScalarNode)input["default"]).Value));
        }

        var command = ((YamlScalarNode)((YamlMappingNode)inputs["command"])["description"]).Value!;
        Assert.All(PolicyAction.ActionHost.ActionSettings.Commands, name => Assert.Contains(name, command, StringComparison.Ordinal));
    }

    [Fact]
    public void The_action_runs_its_dockerfile_and_the_image_is_pinned_by_digest()
    {
        var action = Load("action.yml");
        var runs = (YamlMappingNode)action["runs"];
        Assert.Equal(("docker", "Dockerfile"), (((YamlScalarNode)runs["using"]).Value, ((YamlScalarNode)runs["image"]).Value));

        var froms = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "Dockerfile")).Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(froms);
        Assert.All(froms, line => Assert.Matches(@"^FROM \S+@sha256:[0-9a-f]{64}( AS \w+)?$", line));
        Assert.Contains(File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "Dockerfile")), l => Regex.IsMatch(l, "^ENTRYPOINT \\[\"/"));
    }

    [Fact]
    public void The_image_ships_the_native_aot_binary_that_ci_tests()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "Dockerfile"));
        var ci = File.ReadAllText(Path.Combine(RepositoryRoot.Path, ".ci", "run"));

        Assert.Contains("-p:PublishAot=true", dockerfile, StringComparison.Ordinal);
        Assert.Contains("--runtime linux-x64", dockerfile, StringComparison.Ordinal);
        Assert.Contains("-r linux-x64 -p:PublishAot=true", ci, StringComparison.Ordinal);
        Assert.Contains("POLICY_RESPONSE_UNDER_TEST=", ci, StringComparison.Ordinal);
    }

    [GeneratedRegex("^(\\./.+|[\\w.-]+/[\\w.-]+(/[\\w./-]+)?@[0-9a-f]{40})$")]
    internal static partial Regex PinnedAction();

    private static YamlMappingNode SingleJob(YamlMappingNode workflow) => (YamlMappingNode)((YamlMappingNode)workflow["jobs"]).Children.Values.Single();

    /// <summary>
    /// Evaluates the one expression shape the control workflow uses to pick by command,
    /// <c>${{ (inputs.command == 'A' || inputs.command == 'B') &amp;&amp; THEN || ELSE }}</c>, as GitHub does: <c>==</c> on
    /// strings ignores case, THEN is a string or <c>format('…{0}', github.run_id)</c>. Any other shape fails the test.
    /// </summary>
    private static string SelectByCommand(string expression, string command, string runId)
    {
        var match = Regex.Match(expression, @"^\$\{\{ \((?<tests>inputs\.command == '[a-z-]+'(?: \|\| inputs\.command == '[a-z-]+')*)\) && (?<then>'[a-z-]+'|format\('(?<format>[a-z{}0-9-]+)', github\.run_id\)) \|\| '(?<else>[a-z-]+)' \}\}$");
        Assert.True(match.Success, $"not the expected shape: {expression}");
        var stops = Regex.Matches(match.Groups["tests"].Value, "'([a-z-]+)'").Select(m => m.Groups[1].Value);
        if (!stops.Contains(command, StringComparer.OrdinalIgnoreCase))
        {
            return match.Groups["else"].Value;
        }

        return match.Groups["format"].Success ? match.Groups["format"].Value.Replace("{0}", runId, StringComparison.Ordinal) : match.Groups["then"].Value.Trim('\'');
    }
}
