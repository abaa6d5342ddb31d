using PolicyAction.ActionHost;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.Tests.ActionHost;

/// <summary>Where alert issues link: the runbook of the action at its ref, alerts.runbook_url, or nothing; never the user's repository.</summary>
public class AlertIssueLinksForTests
{
    private static ActionContext Context(params (string Name, string Value)[] variables) =>
        ActionContext.FromVariablesWithoutPayload(new Dictionary<string, string>(variables.Select(v => KeyValuePair.Create(v.Name, v.Value)))
        {
            ["GITHUB_REPOSITORY"] = "octo-org/octo-repo",
            ["GITHUB_RUN_ID"] = "9001",
        });

    [Fact]
    public void The_runbook_is_the_actions_own_at_the_ref_the_workflow_uses()
    {
        var links = AlertIssueLinksFor.Run(Context(("GITHUB_ACTION_REPOSITORY", "org/policy-response"), ("GITHUB_ACTION_REF", "v2")), null, "main");

        Assert.Equal("https://github.com/org/policy-response/blob/v2/docs/runbook.md", links.RunbookUrl);
        Assert.Equal("https://github.com/octo-org/octo-repo/blob/main/reports/policy_orchestration_alerts.json", links.ReportUrl);
        Assert.Equal("https://github.com/octo-org/octo-repo/actions/runs/9001", links.RunUrl);
    }

    [Fact]
    public void Host_modes_variables_win_over_the_runners_empty_ones()
    {
        var links = AlertIssueLinksFor.Run(
            Context(("GITHUB_ACTION_REPOSITORY", ""), ("GITHUB_ACTION_REF", ""), ("POLICY_RESPONSE_ACTION_REPOSITORY", "org/policy-response"), ("POLICY_RESPONSE_ACTION_REF", "0123456789abcdef0123456789abcdef01234567")),
            null,
            null);

        Assert.Equal("https://github.com/org/policy-response/blob/0123456789abcdef0123456789abcdef01234567/docs/runbook.md", links.RunbookUrl);
        Assert.Null(links.ReportUrl);
    }

    [Fact]
    public void The_configured_runbook_wins()
    {
        var links = AlertIssueLinksFor.Run(Context(("GITHUB_ACTION_REPOSITORY", "org/policy-response"), ("GITHUB_ACTION_REF", "v2")), "https://wiki.example/policy-runbook", "main");

        Assert.Equal("https://wiki.example/policy-runbook", links.RunbookUrl);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("org/policy-response", "")]
    [InlineData("org/policy-response", "v2) [x](https://evil")]
    [InlineData("not a repository", "v2")]
    [InlineData("org/policy-response", "../../evil")]
    public void An_unknown_or_misshapen_action_gives_no_runbook_link_rather_than_a_404(string repository, string reference)
    {
        var links = AlertIssueLinksFor.Run(Context(("GITHUB_ACTION_REPOSITORY", repository), ("GITHUB_ACTION_REF", reference)), null, "main");

        Assert.Null(links.RunbookUrl);
    }
}
