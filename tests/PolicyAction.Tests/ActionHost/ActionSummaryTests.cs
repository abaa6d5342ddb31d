using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.GitHubEmulator;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.ActionHost;

/// <summary>
/// The whole job summary the action writes (GITHUB_STEP_SUMMARY), one approval file per outcome, from a run of the
/// step against the API double on a fixed clock. Only what no input fixes is replaced: the response id (a new UUID
/// each run) and what hashes it (the commit, the audit log checkpoint).
/// </summary>
public sealed partial class ActionSummaryTests : AgainstTheDouble
{
    public const string StableResponseId = "7d3c2a10-5b8e-4f61-9a42-0c1d2e3f4a5b";
    public const string StableCommit = "c0ffee0000000000000000000000000000c0ffee";
    private const string StableChainHash = "5eed000000000000000000000000000000000000000000000000000000005eed";

    private readonly FakeTimeProvider _clock = new(CliHarness.Now);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Engaged two hours before the fixed clock's now, by an operator, with a reason.</summary>
    private static readonly byte[] EngagedBrake =
        Utf8("""{"is_engaged": true, "engaged_at": "2026-11-24T03:00:00Z", "engaged_by": "hubot", "reason": "INC-42 paged at 3am"}""");

    /// <summary>A response run (the response runner's step) on a checkout of main; auto-apply when <paramref name="apply"/>.</summary>
    private async Task<(CliResult Result, Dictionary<string, string> Outputs, string Summary)> RunAsync(TempWorkspace checkout, bool apply, string? policy = null, bool commit = true)
    {
        using var runner = DoubleWorkspace.Runner(GitHubDouble, checkout).WorkflowRun().Input("auto-apply", apply ? "true" : "false");
        if (policy is not null)
        {
            runner.Input("policy", policy);
        }

        if (!commit)
        {
            runner.Input("commit-artifacts", "false");
        }

        var result = await runner.RunInProcessAsync(_clock);
        var outputs = runner.Outputs();
        return (result, outputs, Stable(runner.Summary(), outputs));
    }

    /// <summary>The run's own ids replaced by fixed ones; everything else is as the run wrote it.</summary>
    private static string Stable(string summary, Dictionary<string, string> outputs)
    {
        if (outputs.GetValueOrDefault("response-id") is { Length: > 0 } responseId)
        {
            summary = summary.Replace(responseId, StableResponseId, StringComparison.Ordinal);
        }

        if (outputs.GetValueOrDefault("commit-sha") is { Length: > 0 } commit)
        {
            summary = summary.Replace(commit, StableCommit, StringComparison.Ordinal);
        }

        return ChainHead().Replace(summary, $"${{seq}}:{StableChainHash}");
    }

    /// <summary>An audit log checkpoint, seq:hash (not a plan digest's sha256:hash).</summary>
    [GeneratedRegex("(?<![0-9a-z])(?<seq>[0-9]+):[0-9a-f]{64}")]
    private static partial Regex ChainHead();

    /// <summary>The outcome output agrees with the summary's heading, whichever check decided it; mode says what the run was to do.</summary>
    private static void AssertOutcome(Dictionary<string, string> outputs, string outcome, string mode, string blocked) =>
        Assert.Equal((outcome, mode, blocked), (outputs["outcome"], outputs["mode"], outputs["blocked"]));

    [Fact]
    public async Task Dry_run()
    {
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);

        var (result, outputs, summary) = await RunAsync(checkout, apply: false);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertOutcome(outputs, "dry-run", "dry-run", "false");
        Approvals.Verify(summary);
    }

    [Fact]
    public async Task Blocked_by_the_safety_brake()
    {
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = EngagedBrake }, "brake engaged");
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);

        var (result, outputs, summary) = await RunAsync(checkout, apply: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertOutcome(outputs, "blocked", "apply", "true");
        Approvals.Verify(summary);
    }

    [Fact]
    public async Task Blocked_at_the_branch_reservation()
    {
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);
        // Engaged on the branch after the job checked it out: only the reservation sees it.
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = EngagedBrake }, "brake engaged");

        var (result, outputs, summary) = await RunAsync(checkout, apply: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertOutcome(outputs, "blocked", "apply", "true");
        Approvals.Verify(summary);
    }

    [Fact]
    public async Task Applied()
    {
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);

        var (result, outputs, summary) = await RunAsync(checkout, apply: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertOutcome(outputs, "applied", "apply", "false");
        Approvals.Verify(summary);
    }

    /// <summary>The control workflow's undo reads the undo record on the branch: a record that never got there is not offered to it.</summary>
    [Fact]
    public async Task An_apply_whose_undo_record_is_not_committed_offers_no_control_workflow_undo()
    {
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);

        var (result, outputs, summary) = await RunAsync(checkout, apply: true, commit: false);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertOutcome(outputs, "applied", "apply", "false");
        Assert.DoesNotContain("command=undo", summary, StringComparison.Ordinal);
        Assert.Contains("was not committed", summary, StringComparison.Ordinal);
        Assert.Contains("`mirrors/anchor_chain.json` by hand", summary, StringComparison.Ordinal);
    }

    /// <summary>
    /// GitHub refuses the alert check after the actions ran: the response's records are still committed, its outputs
    /// set and its summary written, the refusal under the heading, and the step fails.
    /// </summary>
    [Fact]
    public async Task An_alert_check_refused_after_an_apply_loses_neither_the_commit_nor_the_summary()
    {
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);
        GitHubDouble.AddFault(new Fault("403", Count: 1, Method: "GET", PathPattern: "/git/matching-refs/"));

        var (result, outputs, summary) = await RunAsync(checkout, apply: true);

        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.Stdout.Contains("::error title=Policy alerts%3A not checked::GitHub refused", StringComparison.Ordinal), result.ToString());
        AssertOutcome(outputs, "applied", "apply", "false");
        Assert.Matches(@"^## ✅ Applied 3 actions at RED\n\n⚠️ \*\*Alerts not checked:\*\*", summary);
        Assert.Contains("command=undo", summary, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(outputs.GetValueOrDefault("commit-sha")), "the response's records were not committed");
        var log = Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "state/policy_response_log.jsonl") ?? []);
        Assert.Contains("\"event\":\"response_finished\"", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed()
    {
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);
        // The second of RED's three actions compares the anchor chain with this copy: cmp fails on stderr, exit 2.
        File.Delete(checkout.PathOf("cold_storage/anchor_chain.json"));

        var (result, outputs, summary) = await RunAsync(checkout, apply: true);

        Assert.True(result.ExitCode == ExitCodes.ActionFailed, result.ToString());
        AssertOutcome(outputs, "failed", "apply", "false");
        Approvals.Verify(summary);
    }

    [Fact]
    public async Task Blocked_by_the_rate_limit_says_when_a_slot_frees()
    {
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [".github/policy-response.yml"] = Utf8("""
            version: 1
            gates:
              max_responses_per_24h: 1
            levels:
              RED:
                - id: integrity_check
                  run: ["/usr/bin/sha256sum", "-c", "manifest.sha256"]
            """) }, "one apply a day");
        using (var first = DoubleWorkspace.Checkout(GitHubDouble))
        {
            Assert.Equal("applied", (await RunAsync(first, apply: true)).Outputs["outcome"]);
        }

        _clock.Advance(TimeSpan.FromHours(3));
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, checkout).WorkflowRun(runId: 289782452).Input("auto-apply", "true");

        var result = await runner.RunInProcessAsync(_clock);

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = runner.Summary();
        Assert.StartsWith("## ⛔ Blocked by rate_limit: nothing executed", summary, StringComparison.Ordinal);
        // The first apply's slot, 24 h after it started.
        Assert.Contains("the 24 h window frees a slot at 2026-11-25T05:00:00Z", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_to_do()
    {
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);

        var (result, outputs, summary) = await RunAsync(checkout, apply: true, policy: "GREEN");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertOutcome(outputs, "nothing-to-do", "apply", "false");
        Approvals.Verify(summary);
    }

    /// <summary>Nothing was to run, so nothing was blocked; but a gate that would block an apply shows, not folded among the passing ones.</summary>
    [Fact]
    public async Task Nothing_to_do_still_shows_a_gate_that_blocks()
    {
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = EngagedBrake }, "brake engaged");
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);

        var (result, outputs, summary) = await RunAsync(checkout, apply: true, policy: "GREEN");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertOutcome(outputs, "nothing-to-do", "apply", "false");
        var lead = summary[..summary.IndexOf("<details>", StringComparison.Ordinal)];
        Assert.Contains("| ⛔ safety_brake | `engaged` | `off` |", lead, StringComparison.Ordinal);
        Assert.Contains("✅ 5 other gates passed.", lead, StringComparison.Ordinal);
    }

    /// <summary>An operator's reason is shown as typed, in a code span: no image loads, no link offers itself as the way to approve.</summary>
    [Fact]
    public async Task A_reason_people_typed_renders_nothing()
    {
        const string reason = "![pixel](https://attacker.example/p.png) [Approve here](https://evil.example/approve) <b>x</b>";
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [WorkspacePaths.SafetyBrakePath] = Utf8($$"""{"is_engaged": true, "engaged_at": "2026-11-24T03:00:00Z", "engaged_by": "hubot", "reason": "{{reason}}"}"""),
        }, "brake engaged");
        using var checkout = DoubleWorkspace.Checkout(GitHubDouble);

        var (_, _, summary) = await RunAsync(checkout, apply: true);

        Assert.Contains($"| ⛔ safety_brake | `engaged` | `off` | `engaged for 2 h 0 min by hubot: {reason}` |", summary, StringComparison.Ordinal);
        Assert.DoesNotContain($" {reason}", summary.Replace($"hubot: {reason}`", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
