using PolicyAction.Alerts;
using PolicyAction.RunnerProtocol;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Alerts;

public class AlertSummaryTests
{
    private static readonly DateTimeOffset Now = CliHarness.Now;

    private static AlertStatus Alert(string id, string severity, bool firing, string observed, string threshold) => new()
    {
        Id = id,
        Severity = severity,
        Evaluated = true,
        Firing = firing,
        Observed = observed,
        Threshold = threshold,
        Since = firing ? Now.AddHours(-1) : null,
        Fingerprint = AlertStatus.FingerprintOf(id),
    };

    [Fact]
    public void Job_summary_section()
    {
        var report = new AlertReport
        {
            EvaluatedAt = Now,
            Alerts =
            [
                Alert("red_flips", "high", false, "1 flip(s) into RED in 24h", "> 2"),
                Alert("brake_engaged", "critical", true, "engaged for 5 h 0 min", "> 4h") with { IssueNumber = 7, IssueUrl = "https://github.com/octo-org/octo-repo/issues/7" },
                Alert("blocked_streak", "medium", true, "4 consecutive blocked response(s)", "> 3") with { Inhibited = true, InhibitedBy = "brake_engaged" },
                Alert("fix_branches", "medium", false, "not evaluated (no GitHub access)", "> 0 in 24h") with { Evaluated = false },
                Alert("action_failures", "medium", true, "3 consecutive response(s) with a failed action", "> 2") with
                {
                    Silenced = true,
                    SilenceReason = "known | flaky <mirror>",
                    SilencedUntil = Now.AddDays(1),
                    FixBranch = "fix/policy-response/" + AlertStatus.FingerprintOf("action_failures"),
                },
            ],
        };
        var summary = new JobSummary();

        AlertSummary.Write(summary, report);

        Approvals.Verify(summary.Render());
    }
}
