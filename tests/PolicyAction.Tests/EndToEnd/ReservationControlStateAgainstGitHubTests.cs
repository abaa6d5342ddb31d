using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>
/// The reservation reads the safety brake and the trust lock at the branch's tip, against the API double: a brake or
/// lock set on the branch after a run checked out (an operator's control workflow, or a commit) stops that run's
/// apply before any action runs, reported as the local gate reports it.
/// </summary>
public sealed class ReservationControlStateAgainstGitHubTests : AgainstTheDouble
{
    private const string Marker = "executed.marker";
    private const string LockId = "3f2a9c1e-1111-4222-8333-444455556666";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A checkout of main whose RED response leaves a marker file when it runs.</summary>
    private TempWorkspace CheckoutWithMarkerAction() =>
        DoubleWorkspace.Checkout(GitHubDouble).WithConfig($$"""
            version: 1
            levels:
              RED:
                - id: mark
                  run: ["/bin/sh", "-c", "echo ran > {{Marker}}"]
            """);

    private async Task<(CliResult Result, Dictionary<string, string> Outputs, string Summary)> ApplyAsync(TempWorkspace checkout)
    {
        using var runner = DoubleWorkspace.Runner(GitHubDouble, checkout).WorkflowRun(runId: 9002).Input("auto-apply", "true").Input("policy", "RED");
        var result = await runner.RunAsync();
        return (result, runner.Outputs(), runner.Summary());
    }

    private async Task EngageBrakeFromGitHubAsync()
    {
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var control = DoubleWorkspace.Runner(GitHubDouble, workspace)
            .Event("workflow_dispatch", """{"inputs": {}, "repository": {"default_branch": "main"}}""")
            .Input("command", "brake-engage")
            .Input("reason", "INC-42 paged at 3am");
        var result = await control.RunAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private string[] BranchAudit() => GitHubDouble.AuditLines("main");

    private static void AssertBlockedBeforeAnythingRan(TempWorkspace checkout, CliResult result, Dictionary<string, string> outputs, string gate)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        // The same outputs as a block on the checkout: the reservation's refusal is a block of an apply.
        Assert.Equal(("blocked", "apply", "true"), (outputs["outcome"], outputs["mode"], outputs["blocked"]));
        Assert.Equal(gate, outputs["blocked-by"]);
        Assert.False(checkout.Exists(Marker), "the action ran");
        Assert.DoesNotContain(checkout.AuditLines(), l => l.Contains("\"event\":\"response_started\"", StringComparison.Ordinal));
        var blocked = Assert.Single(checkout.AuditLines(), l => l.Contains("\"event\":\"response_blocked\"", StringComparison.Ordinal));
        Assert.Contains($"\"blocked_by\":[\"{gate}\"]", blocked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_brake_engaged_from_github_after_the_checkout_blocks_the_apply_before_anything_runs()
    {
        using var checkout = CheckoutWithMarkerAction();
        await EngageBrakeFromGitHubAsync();

        var (result, outputs, summary) = await ApplyAsync(checkout);

        AssertBlockedBeforeAnythingRan(checkout, result, outputs, "safety_brake");
        const string Line = "engaged on main since ";
        Assert.Contains(Line, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("by octocat: INC-42 paged at 3am; this run's checkout predates it; nothing was executed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(Line, summary, StringComparison.Ordinal);
        Assert.Contains("checkout predates it", checkout.Read("reports/policy_response_blocked.json"), StringComparison.Ordinal);
        // The block reaches the branch's audit log, and no slot was reserved there.
        Assert.Contains(BranchAudit(), l => l.Contains("\"event\":\"response_blocked\"", StringComparison.Ordinal) && l.Contains("checkout predates it", StringComparison.Ordinal));
        Assert.DoesNotContain(BranchAudit(), l => l.Contains("\"event\":\"response_started\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_trust_lock_committed_to_the_branch_after_the_checkout_blocks_the_apply_before_anything_runs()
    {
        using var checkout = CheckoutWithMarkerAction();
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [WorkspacePaths.TrustLockPath] = Utf8($$"""{"locked": true, "lock_id": "{{LockId}}", "reason": "key rotation", "locked_at": "2026-12-07T10:00:00Z", "locked_by": "hubot"}"""),
        }, "trust lock");

        var (result, outputs, _) = await ApplyAsync(checkout);

        AssertBlockedBeforeAnythingRan(checkout, result, outputs, "trust_guard");
        Assert.Contains(
            $"blocked by trust_guard on main: locked on main since 2026-12-07T10:00:00Z by hubot: key rotation (lock id {LockId}); this run's checkout predates it; nothing was executed",
            result.Stdout,
            StringComparison.Ordinal);
        Assert.DoesNotContain(BranchAudit(), l => l.Contains("\"event\":\"response_started\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_brake_file_that_cannot_be_parsed_at_the_tip_blocks_naming_it()
    {
        using var checkout = CheckoutWithMarkerAction();
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [WorkspacePaths.SafetyBrakePath] = Utf8("{\"is_engaged\": tru") }, "half a brake");

        var (result, outputs, _) = await ApplyAsync(checkout);

        AssertBlockedBeforeAnythingRan(checkout, result, outputs, "safety_brake");
        Assert.Contains("blocked by safety_brake on main: forensics/safety_brake_state.json on main: is not valid:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("it may be engaged, so nothing was executed. Fix or restore the file on main, then run again", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_brake_released_on_the_branch_does_not_release_the_one_engaged_in_the_checkout_the_stricter_wins()
    {
        // Engaged an hour ago: under the brake_engaged alert's threshold, so the run's exit code is the response's alone.
        var engagedAt = DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [WorkspacePaths.SafetyBrakePath] = Utf8($$"""{"is_engaged": true, "engaged_at": "{{engagedAt}}", "engaged_by": "hubot", "reason": "INC-41"}"""),
        }, "brake engaged");
        using var checkout = CheckoutWithMarkerAction();
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [WorkspacePaths.SafetyBrakePath] = Utf8("""{"is_engaged": false, "released_at": "2026-12-07T11:00:00Z", "released_by": "hubot", "release_reason": "resolved"}"""),
        }, "brake released");

        var (result, outputs, _) = await ApplyAsync(checkout);

        // The checkout's own gate blocks first: a release the run has not seen does not let it apply.
        AssertBlockedBeforeAnythingRan(checkout, result, outputs, "safety_brake");
        Assert.DoesNotContain("this run's checkout predates it", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_brake_and_lock_off_on_the_branch_the_apply_runs()
    {
        using var checkout = CheckoutWithMarkerAction();
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [WorkspacePaths.SafetyBrakePath] = Utf8("""{"is_engaged": false, "released_at": "2026-12-07T11:00:00Z", "released_by": "hubot", "release_reason": "resolved"}"""),
        }, "brake released");

        var (result, outputs, _) = await ApplyAsync(checkout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("false", outputs["blocked"]);
        Assert.True(checkout.Exists(Marker));
    }
}
