using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyAction.GitHubEmulator;
using PolicyAction.Tests.GitHub;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// Hostile text in the event payload and inputs, through the real tool as the runner runs it and the API double:
/// it is never run, never becomes a workflow command or an output, and a branch name is used exactly as given.
/// </summary>
public sealed partial class HostilePayloadTests : AgainstTheDouble
{
    private static readonly string[] KnownOutputs = ["response-id", "outcome", "mode", "blocked", "blocked-by", "actions-planned", "actions-failed", "plan-digest", "commit-sha", "alerts", "issue-urls", "level", "level-changed", "signals-firing"];

    private readonly TempWorkspace _outside = new();
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _outside.Dispose();
    }

    /// <summary>A file outside the workspace that exists only if some hostile text ran as a command.</summary>
    private string Canary => _outside.PathOf("pwned");

    public static TheoryData<string> Hostile => new()
    {
        "a\";touch CANARY;#",
        "$(touch CANARY)",
        "`touch CANARY`",
        "${IFS}touch${IFS}CANARY",
        "x\n::set-output name=mode::apply\n::add-mask::ghs_\n::error::injected",
        "x\r\n  ::warning::injected%0A::debug::x",
        "::stop-commands::injected\n::error::injected",
        "x\r::set-output name=mode::apply\r  ::stop-commands::injected\r::error::injected",
        "x ##[set-output name=mode;]apply ##[error]injected",
        "x\u00A0\r\u00A0::warning::injected",
        new string('A', 20_000) + "$(touch CANARY)",
    };

    private string Armed(string hostile) => hostile.Replace("CANARY", Canary, StringComparison.Ordinal);

    /// <summary>The real workflow_run payload with every string replaced by the hostile text, except those kept.</summary>
    private static string PayloadWith(string hostile, params string[] keep)
    {
        var payload = JsonNode.Parse(File.ReadAllText(RunnerSimulation.SharedPayload("workflow_run.completed.json")))!;
        Replace(payload, string.Empty);
        payload["workflow_run"]!["id"] = 289782451;
        payload["workflow_run"]!["run_attempt"] = 1;
        return payload.ToJsonString();

        void Replace(JsonNode node, string path)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, child) in obj.ToArray())
                    {
                        var at = path.Length == 0 ? name : $"{path}.{name}";
                        if (child is JsonValue value && value.TryGetValue<string>(out _))
                        {
                            obj[name] = Kept(at) ?? hostile;
                        }
                        else if (child is not null)
                        {
                            Replace(child, at);
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (array[i] is JsonValue value && value.TryGetValue<string>(out _))
                        {
                            array[i] = hostile;
                        }
                        else if (array[i] is { } child)
                        {
                            Replace(child, path);
                        }
                    }

                    break;
            }
        }

        string? Kept(string at) => at switch
        {
            "workflow_run.conclusion" when keep.Contains(at) => "success",
            "workflow_run.head_repository.full_name" when keep.Contains(at) => "octo-org/octo-repo",
            "repository.default_branch" when keep.Contains(at) => "main",
            _ => null,
        };
    }

    private RunnerSimulation Runner(TempWorkspace workspace, string payload) =>
        DoubleWorkspace.Runner(GitHubDouble, workspace).Event("workflow_run", payload).Input("auto-apply", "true").Input("policy", "RED").Input("commit-artifacts", "true");

    /// <summary>
    /// Every command the runner would run from the output (read by its own rules, <see cref="RunnerCommandParser"/>)
    /// is one of ours: group/endgroup/error/warning/notice, the token's add-mask, and our own stop-commands fences;
    /// only an annotation may quote the hostile text (escaped, as its message).
    /// </summary>
    internal static void AssertOnlyOurWorkflowCommands(string stdout)
    {
        string? fence = null;
        foreach (var command in RunnerCommandParser.Parse(stdout))
        {
            var line = command.Line[..Math.Min(command.Line.Length, 200)];
            if (fence is not null)
            {
                Assert.True(command.Name == fence, $"a command inside our fence: {line}");
                fence = null;
                continue;
            }

            Assert.True(command.Name is "group" or "endgroup" or "error" or "warning" or "notice" or "add-mask" or "stop-commands", $"a line the runner would run as a workflow command: {line}");
            Assert.True(command.Line.TrimStart().StartsWith($"::{command.Name}", StringComparison.Ordinal), $"a command issued from inside a line: {line}");
            Assert.True(command.Name is "error" or "warning" or "notice" || !command.Line.Contains("injected", StringComparison.Ordinal), line);
            if (command.Name == "stop-commands")
            {
                fence = command.Data;
                Assert.Matches("^policy-response-[0-9a-f]{32}$", fence);
            }
            else if (command.Name == "add-mask")
            {
                Assert.Equal($"::add-mask::{RunnerSimulation.Token}", command.Line);
            }
        }

        Assert.Null(fence);
    }

    private static void AssertOutputsAreOurs(RunnerSimulation runner)
    {
        var outputs = runner.Outputs();
        Assert.All(outputs.Keys, key => Assert.Contains(key, KnownOutputs));
        Assert.All(outputs.Values, value => Assert.DoesNotContain("injected", value, StringComparison.Ordinal));
        Assert.All(outputs.Values, value => Assert.DoesNotContain("touch", value, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_text_in_every_field_of_a_trusted_run_stays_data_while_the_response_applies_and_commits(string hostile)
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace, PayloadWith(Armed(hostile), "workflow_run.conclusion", "workflow_run.head_repository.full_name", "repository.default_branch"));

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString()[..Math.Min(result.ToString().Length, 4000)]);
        Assert.False(File.Exists(Canary), "hostile text ran as a command");
        Assert.Equal("apply", runner.Outputs()["mode"]);
        Assert.Equal(GitHubDouble.BranchHead("main"), runner.Outputs()["commit-sha"]);
        AssertOnlyOurWorkflowCommands(result.Stdout);
        AssertOutputsAreOurs(runner);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_text_in_the_conclusion_and_head_repository_is_reported_as_data_and_refuses_apply(string hostile)
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace, PayloadWith(Armed(hostile), "repository.default_branch"));

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString()[..Math.Min(result.ToString().Length, 4000)]);
        Assert.False(File.Exists(Canary), "hostile text ran as a command");
        Assert.Equal("dry-run", runner.Outputs()["mode"]);
        Assert.Contains("::warning title=Policy response%3A apply refused::apply refused: the triggering run concluded", result.Stdout, StringComparison.Ordinal);
        AssertOnlyOurWorkflowCommands(result.Stdout);
        AssertOutputsAreOurs(runner);
        Assert.DoesNotContain(workspace.ResponseLines(), l => l.Contains("response_started", StringComparison.Ordinal));
        Assert.DoesNotContain("response_started", Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "state/policy_response_log.jsonl") ?? []), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BranchNameTests.StrangeButValidNames), MemberType = typeof(BranchNameTests))]
    public async Task A_strange_but_valid_branch_name_gets_exactly_that_branch(string branch)
    {
        GitHubDouble.CreateBranch(branch, from: "main");
        var main = GitHubDouble.BranchHead("main");
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace, PayloadWith("x", "workflow_run.conclusion", "workflow_run.head_repository.full_name", "repository.default_branch")).Input("commit-branch", branch);

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(GitHubDouble.BranchHead(branch), runner.Outputs()["commit-sha"]);
        Assert.Equal(main, GitHubDouble.BranchHead("main"));
        Assert.Contains("response_finished", Encoding.UTF8.GetString(GitHubDouble.ReadFile(branch, "state/policy_response_log.jsonl") ?? []), StringComparison.Ordinal);
        AssertOnlyOurWorkflowCommands(result.Stdout);
    }

    [Theory]
    [InlineData("x\n::set-output name=mode::apply")]
    [InlineData("a..b")]
    [InlineData("two words")]
    [InlineData("refs/../../etc")]
    [InlineData("x~1")]
    [InlineData("x@{0}")]
    [InlineData("/leading")]
    [InlineData("ends.lock")]
    public async Task A_branch_name_git_would_refuse_fails_the_step_naming_the_input_before_anything_runs(string branch)
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace, PayloadWith("x", "workflow_run.conclusion", "workflow_run.head_repository.full_name", "repository.default_branch")).Input("commit-branch", branch);
        var requests = GitHubDouble.Exchanges.Count;

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("commit-branch", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("not a valid branch name", result.Stdout, StringComparison.Ordinal);
        AssertOnlyOurWorkflowCommands(result.Stdout);
        Assert.Equal(requests, GitHubDouble.Exchanges.Count);
        Assert.Empty(workspace.ResponseLines());
    }

    [Fact]
    public async Task A_payload_that_is_not_UTF_8_fails_closed_naming_the_file()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        var payload = Encoding.UTF8.GetBytes(PayloadWith("PLACEHOLDER", "workflow_run.conclusion", "workflow_run.head_repository.full_name", "repository.default_branch"));
        var bad = Encoding.UTF8.GetBytes("PLACEHOLDER");
        var text = Encoding.Latin1.GetString(payload).Replace(Encoding.Latin1.GetString(bad), "\xff\xfe$(touch x)", StringComparison.Ordinal);
        using var runner = Runner(workspace, "{}");
        File.WriteAllBytes(runner.Environment["GITHUB_EVENT_PATH"]!, Encoding.Latin1.GetBytes(text));

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(runner.Environment["GITHUB_EVENT_PATH"]!, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("event payload", result.Stdout, StringComparison.Ordinal);
        AssertOnlyOurWorkflowCommands(result.Stdout);
        Assert.Empty(workspace.ResponseLines());
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_brake_reason_in_a_committed_state_file_issues_no_workflow_command_and_swallows_none_of_ours()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        workspace.Write(
            "forensics/safety_brake_state.json",
            "{\"is_engaged\": true, \"reason\": \"drill\\r::set-output name=mode::apply\\r::add-mask::injected\\r::stop-commands::known\\r##[error]injected ##[set-output name=blocked;]false\\r::known::\"}");
        using var runner = Runner(workspace, TrustedRun(_ => { }));

        var result = await runner.RunAsync();

        // Exit 1: the brake alert (critical) fires, as it should for a brake engaged at an unknown time.
        Assert.True(result.ExitCode == 1, result.ToString()[..Math.Min(result.ToString().Length, 4000)]);
        AssertOnlyOurWorkflowCommands(result.Stdout);
        Assert.Contains(RunnerCommandParser.Parse(result.Stdout), c => c.Name == "warning" && c.Line.Contains("title=Policy response blocked", StringComparison.Ordinal));
        Assert.Equal("true", runner.Outputs()["blocked"]);
    }

    [Fact]
    public async Task A_plan_digest_input_cannot_add_lines_to_the_commit_message()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        var before = GitHubDouble.History("main").Count;
        using var runner = Runner(workspace, TrustedRun(_ => { }))
            .Input("plan-digest", "sha256:" + new string('0', 64) + "\nCo-authored-by: Mallory <mallory@example.com>\r\nSigned-off-by: Mallory <mallory@example.com>");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString()[..Math.Min(result.ToString().Length, 4000)]);
        Assert.Equal("true", runner.Outputs()["blocked"]);
        var commits = GitHubDouble.History("main").Take(GitHubDouble.History("main").Count - before).ToArray();
        Assert.NotEmpty(commits);
        Assert.All(commits, c => Assert.DoesNotMatch("(?m)^(Co-authored-by|Signed-off-by):", c.Message));
        AssertOnlyOurWorkflowCommands(result.Stdout);
    }

    /// <summary>The real payload of a run that may apply (concluded success, on this repository's code), edited.</summary>
    private static string TrustedRun(Action<JsonObject> edit)
    {
        var payload = JsonNode.Parse(File.ReadAllText(RunnerSimulation.SharedPayload("workflow_run.completed.json")))!.AsObject();
        payload["repository"]!["default_branch"] = "main";
        edit(payload["workflow_run"]!.AsObject());
        return payload.ToJsonString();
    }

    private void AssertRefusedAsADryRun(RunnerSimulation runner, TempWorkspace workspace, CliResult result, string reason)
    {
        Assert.True(result.ExitCode == 0, result.ToString()[..Math.Min(result.ToString().Length, 4000)]);
        Assert.Equal("dry-run", runner.Outputs()["mode"]);
        Assert.Contains($"::warning title=Policy response%3A apply refused::apply refused: {reason}", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(workspace.ResponseLines(), l => l.Contains("response_started", StringComparison.Ordinal));
        Assert.DoesNotContain("response_started", Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "state/policy_response_log.jsonl") ?? []), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task Without_GITHUB_REPOSITORY_a_run_with_no_head_repository_does_not_apply(string? repository)
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        // Only respond, and no commit: alerts and commits need the repository's name and would stop the run with exit 2 after the response.
        using var runner = Runner(workspace, TrustedRun(run => run["head_repository"] = null)).Input("command", "respond").Input("commit-artifacts", "false");
        runner.Environment["GITHUB_REPOSITORY"] = repository;

        var result = await runner.RunAsync();

        AssertRefusedAsADryRun(runner, workspace, result, "GITHUB_REPOSITORY is not set");
    }

    [Fact]
    public async Task A_run_id_given_as_a_string_does_not_apply()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = Runner(workspace, TrustedRun(run => run["id"] = "289782451"));

        var result = await runner.RunAsync();

        AssertRefusedAsADryRun(runner, workspace, result, "the workflow_run payload's id is not a whole number above 0");
        Assert.Contains("workflow_run:unknown:1", runner.Summary(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("head_commit", "message")]
    [InlineData("head_branch", null)]
    public async Task A_lone_surrogate_escape_in_a_payload_string_fails_closed_naming_the_file_and_the_byte(string field, string? inner)
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        var text = TrustedRun(run =>
        {
            if (inner is null)
            {
                run[field] = "PLACEHOLDER";
            }
            else
            {
                run[field]![inner] = "PLACEHOLDER";
            }
        }).Replace("PLACEHOLDER", "fix \\ud800 $(touch x)", StringComparison.Ordinal);
        var offset = Encoding.UTF8.GetBytes(text).AsSpan().IndexOf("\\ud800"u8);
        using var runner = Runner(workspace, text);
        var requests = GitHubDouble.Exchanges.Count;

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{runner.Environment["GITHUB_EVENT_PATH"]}: the event payload is not valid text: a string holds a lone UTF-16 surrogate escape (byte {offset})", result.Stdout, StringComparison.Ordinal);
        AssertOnlyOurWorkflowCommands(result.Stdout);
        Assert.Empty(workspace.ResponseLines());
        Assert.Equal(requests, GitHubDouble.Exchanges.Count);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }
}
