using PolicyAction.Alerts;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Alerts;

public class AlertIssueTextTests
{
    private const string FindingRun = "https://github.com/octo-org/octo-repo/actions/runs/9001";
    private const string CheckingRun = "https://github.com/octo-org/octo-repo/actions/runs/9002";
    private const string RunbookUrl = "https://github.com/octo-org/octo-repo/blob/main/docs/runbook.md";
    private static readonly DateTimeOffset Now = CliHarness.Now;

    private static AlertStatus Brake() => new()
    {
        Id = "brake_engaged",
        Severity = "critical",
        Evaluated = true,
        Firing = true,
        Observed = "engaged for 5 h 0 min",
        Threshold = "> 4h",
        Since = Now.AddHours(-1),
        Fingerprint = AlertStatus.FingerprintOf("brake_engaged"),
        Evidence = [new AlertEvidence(Now.AddHours(-5), "engaged by alice: suspicious diff | see <incident 42>")],
    };

    [Fact]
    public void Issue_body_firing()
    {
        Approvals.Verify(AlertIssueText.Body(Brake(), Now, FindingRun, RunbookUrl, null));
    }

    [Fact]
    public void Issue_body_with_fix_branch()
    {
        Approvals.Verify(AlertIssueText.Body(Brake(), Now, FindingRun, RunbookUrl, "fix/policy-response/" + Brake().Fingerprint));
    }

    [Fact]
    public void Repeat_comment()
    {
        Approvals.Verify(AlertIssueText.RepeatComment(Brake(), CheckingRun));
    }

    [Fact]
    public void Resolved_comment()
    {
        Approvals.Verify(AlertIssueText.ResolvedComment(Brake(), Now.AddHours(2), CheckingRun));
    }

    [Fact]
    public void Reopen_comment()
    {
        Approvals.Verify(AlertIssueText.ReopenComment(Brake() with { Since = Now.AddDays(2) }, CheckingRun));
    }

    [Fact]
    public void The_fingerprint_marker_is_found_again_in_the_body()
    {
        var body = AlertIssueText.Body(Brake(), Now, null, null, null);

        Assert.Equal(Brake().Fingerprint, AlertIssueText.FingerprintOf(body));
        Assert.StartsWith("<!-- POLICY_ALERT: CREATED 2026-11-24T05:00:00Z -->\n", body, StringComparison.Ordinal);
        Assert.Null(AlertIssueText.FingerprintOf("an issue somebody else wrote"));
        Assert.Null(AlertIssueText.FingerprintOf(null));
    }

    [Fact]
    public void A_huge_evidence_table_is_cut_below_githubs_limit_with_a_note()
    {
        var alert = Brake() with { Evidence = Enumerable.Range(0, 5000).Select(i => new AlertEvidence(Now.AddMinutes(-i), $"blocked by trust_guard, attempt {i}")).ToArray() };

        var body = AlertIssueText.Body(alert, Now, null, null, null);

        Assert.True(body.Length <= AlertIssueText.GitHubBodyLimit);
        Assert.Contains("**Truncated**", body, StringComparison.Ordinal);
        Assert.Equal(alert.Fingerprint, AlertIssueText.FingerprintOf(body));
    }

    [Fact]
    public void A_huge_comment_leaves_room_for_the_marker_the_forge_adds()
    {
        var alert = Brake() with { Evidence = Enumerable.Range(0, 5000).Select(i => new AlertEvidence(Now.AddMinutes(-i), $"blocked by trust_guard, attempt {i}")).ToArray() };

        Assert.InRange(AlertIssueText.RepeatComment(alert, null).Length, AlertIssueText.CommentBodyLimit - 500, AlertIssueText.CommentBodyLimit);
        Assert.InRange(AlertIssueText.ReopenComment(alert, null).Length, AlertIssueText.CommentBodyLimit - 500, AlertIssueText.CommentBodyLimit);
    }
}
