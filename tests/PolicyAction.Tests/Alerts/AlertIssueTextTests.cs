using PolicyAction.Alerts;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Alerts;

public class AlertIssueTextTests
{
    private const string FindingRun = "https://github.com/octo-org/octo-repo/actions/runs/9001";
    private const string CheckingRun = "https://github.com/octo-org/octo-repo/actions/runs/9002";
    private static readonly AlertIssueLinks Links = new(
        "https://github.com/octo-org/octo-repo",
        FindingRun,
        "https://github.com/org/policy-response/blob/v2/docs/runbook.md",
        "https://github.com/octo-org/octo-repo/blob/main/reports/policy_orchestration_alerts.json");
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
        Evidence = [new AlertEvidence(Now.AddHours(-5), "engaged by alice: suspicious diff | see <incident 42>", "https://github.com/octo-org/octo-repo/actions/runs/8990")],
    };

    /// <summary>Twelve responses in a row with a failed action, each written by its own run.</summary>
    private static AlertStatus ActionFailures() => new()
    {
        Id = "action_failures",
        Severity = "high",
        Evaluated = true,
        Firing = true,
        Observed = "12 consecutive response(s) with a failed action",
        Threshold = "> 2",
        Since = Now.AddHours(-10),
        Fingerprint = AlertStatus.FingerprintOf("action_failures"),
        Evidence = Enumerable.Range(1, 12).Select(i => new AlertEvidence(
            Now.AddHours(i - 13),
            $"RED response 00000000-0000-0000-0000-{i:D12}: integrity_anchor_mirror exited with code 1",
            $"https://github.com/octo-org/octo-repo/actions/runs/{8800 + i}")).ToArray(),
    };

    [Fact]
    public void Issue_body_firing()
    {
        Approvals.Verify(AlertIssueText.Body(Brake(), Now, Links, null));
    }

    [Fact]
    public void Issue_body_with_fix_branch()
    {
        var alert = ActionFailures();
        Approvals.Verify(AlertIssueText.Body(alert, Now, Links, "fix/policy-response/" + alert.Fingerprint));
    }

    [Fact]
    public void Evidence_shows_the_latest_ten_rows_then_counts_the_earlier_ones_with_a_link_to_the_report()
    {
        var body = AlertIssueText.Body(ActionFailures(), Now, Links, null);

        Assert.Equal(AlertIssueText.EvidenceRows, body.Split('\n').Count(l => l.StartsWith("| 2026-", StringComparison.Ordinal)));
        Assert.Contains("### Evidence (the latest 10 of 12)", body, StringComparison.Ordinal);
        Assert.DoesNotContain("response 00000000-0000-0000-0000-000000000001", body, StringComparison.Ordinal);
        Assert.Contains("response 00000000-0000-0000-0000-000000000012", body, StringComparison.Ordinal);
        Assert.Contains("…and 2 earlier: see this alert's `evidence` in [`reports/policy_orchestration_alerts.json`](https://github.com/octo-org/octo-repo/blob/main/reports/policy_orchestration_alerts.json).", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_evidence_row_links_the_run_behind_it_and_a_run_of_another_repository_stays_inert_text()
    {
        var alert = Brake() with
        {
            Evidence =
            [
                new AlertEvidence(Now.AddHours(-3), "blocked", "https://github.com/octo-org/octo-repo/actions/runs/77/attempts/2"),
                new AlertEvidence(Now.AddHours(-2), "blocked", "https://evil.example/octo-org/octo-repo/actions/runs/78"),
                new AlertEvidence(Now.AddHours(-1), "blocked", "https://github.com/someone/else/actions/runs/79"),
            ],
        };

        var body = AlertIssueText.Body(alert, Now, Links, null);

        Assert.Contains("| [run 77, attempt 2](https://github.com/octo-org/octo-repo/actions/runs/77/attempts/2) |", body, StringComparison.Ordinal);
        Assert.Contains("| `https://evil.example/octo-org/octo-repo/actions/runs/78` |", body, StringComparison.Ordinal);
        Assert.Contains("| `https://github.com/someone/else/actions/runs/79` |", body, StringComparison.Ordinal);
        Assert.DoesNotContain("](https://evil", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_known_runbook_the_issue_has_no_runbook_link_rather_than_a_broken_one()
    {
        var body = AlertIssueText.Body(Brake(), Now, Links with { RunbookUrl = null }, null);

        Assert.DoesNotContain("Runbook", body, StringComparison.Ordinal);
        Assert.DoesNotContain("docs/runbook.md", body, StringComparison.Ordinal);
        Assert.Contains("[Brake engaged](https://github.com/org/policy-response/blob/v2/docs/runbook.md#brake-engaged)", AlertIssueText.Body(Brake(), Now, Links, null), StringComparison.Ordinal);
    }

    [Fact]
    public void No_table_has_an_empty_header_row()
    {
        var texts = new[]
        {
            AlertIssueText.Body(ActionFailures(), Now, Links, "fix/policy-response/x"),
            AlertIssueText.RepeatComment(ActionFailures(), Links),
            AlertIssueText.ReopenComment(ActionFailures(), Links),
        };

        Assert.All(texts, text => Assert.DoesNotMatch(@"(?m)^\|(\s*\|)+\s*$", text));
    }

    [Fact]
    public void Repeat_comment()
    {
        Approvals.Verify(AlertIssueText.RepeatComment(Brake(), Links with { RunUrl = CheckingRun }));
    }

    [Fact]
    public void Resolved_comment()
    {
        Approvals.Verify(AlertIssueText.ResolvedComment(Brake(), Now.AddHours(2), CheckingRun));
    }

    [Fact]
    public void Reopen_comment()
    {
        Approvals.Verify(AlertIssueText.ReopenComment(Brake() with { Since = Now.AddDays(2) }, Links with { RunUrl = CheckingRun }));
    }

    [Fact]
    public void The_fingerprint_marker_is_found_again_in_the_body()
    {
        var body = AlertIssueText.Body(Brake(), Now, AlertIssueLinks.None, null);

        Assert.Equal(Brake().Fingerprint, AlertIssueText.FingerprintOf(body));
        Assert.StartsWith("<!-- POLICY_ALERT: CREATED 2026-11-24T05:00:00Z -->\n", body, StringComparison.Ordinal);
        Assert.Null(AlertIssueText.FingerprintOf("an issue somebody else wrote"));
        Assert.Null(AlertIssueText.FingerprintOf(null));
    }

    [Fact]
    public void A_huge_evidence_text_is_cut_below_githubs_limit_with_a_note()
    {
        // Ten rows are shown whatever the count; text that long can still come from the state files.
        var alert = Brake() with { Evidence = Enumerable.Range(0, 10).Select(i => new AlertEvidence(Now.AddMinutes(-i), new string('x', 10_000))).ToArray() };

        var body = AlertIssueText.Body(alert, Now, AlertIssueLinks.None, null);

        Assert.True(body.Length <= AlertIssueText.GitHubBodyLimit);
        Assert.Contains("**Truncated**", body, StringComparison.Ordinal);
        Assert.Equal(alert.Fingerprint, AlertIssueText.FingerprintOf(body));
    }

    [Fact]
    public void A_huge_comment_leaves_room_for_the_marker_the_forge_adds()
    {
        var alert = Brake() with { Evidence = Enumerable.Range(0, 10).Select(i => new AlertEvidence(Now.AddMinutes(-i), new string('x', 10_000))).ToArray() };

        Assert.All(
            [AlertIssueText.RepeatComment(alert, AlertIssueLinks.None), AlertIssueText.ReopenComment(alert, AlertIssueLinks.None)],
            comment =>
            {
                Assert.InRange(comment.Length, AlertIssueText.CommentBodyLimit - 10_500, AlertIssueText.CommentBodyLimit);
                Assert.Contains("**Truncated**", comment, StringComparison.Ordinal);
            });
    }
}
