using System.Text;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.Forge;
using PolicyAction.GitHub;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Alerts;

/// <summary>The issue sync's races, made deterministic: another check acts between this one's steps, against the API double.</summary>
public sealed class AlertIssueManagerTests : IAsyncLifetime
{
    private const string History = "logs/policy_orchestration_alerts.jsonl";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ClientAgainstTheDouble _double = null!;

    private PolicyAction.GitHubEmulator.GitHubEmulator Server => _double.GitHub;

    private OctokitForge Api => _double.Api;

    public async Task InitializeAsync() =>
        _double = await ClientAgainstTheDouble.StartAsync(new Dictionary<string, byte[]> { [History] = [] });

    public async Task DisposeAsync() => await _double.DisposeAsync();

    private static AlertStatus Brake() => new()
    {
        Id = AlertIds.BrakeEngaged,
        Severity = "critical",
        Evaluated = true,
        Firing = true,
        Observed = "engaged for 5 h",
        Threshold = "> 4 h",
        Fingerprint = AlertStatus.FingerprintOf(AlertIds.BrakeEngaged),
    };

    private static AlertReport Report(AlertStatus alert) => new() { EvaluatedAt = DateTimeOffset.UtcNow, Alerts = [alert] };

    /// <summary>What another check does when it wins: open the issue, then commit its history with the <c>opened</c> line.</summary>
    private void AnotherCheckOpensTheIssue()
    {
        var body = AlertIssueText.Body(Brake(), _clock.GetUtcNow(), AlertIssueLinks.None, null);
        var created = Api.CreateIssueAsync(AlertIssueText.Title(Brake()), body, ["policy-alert"], [], CancellationToken.None).GetAwaiter().GetResult();
        var opened = $"{{\"timestamp\":\"{_clock.GetUtcNow():O}\",\"alert\":\"brake_engaged\",\"event\":\"opened\",\"severity\":\"critical\",\"detail\":\"fired; opened #{created.Number}\",\"fingerprint\":\"{Brake().Fingerprint}\"}}\n";
        Server.CommitFiles("main", new Dictionary<string, byte[]> { [History] = [.. Server.ReadFile("main", History)!, .. Encoding.UTF8.GetBytes(opened)] }, "artifacts of the other check");
    }

    private AlertIssueManager Manager(IForge issues, List<AlertHistoryRecord> recorded) =>
        new(issues, AlertSettings.Default, _clock, AlertIssueLinks.None, new IssueClaim(Api, "main", _clock, "run 2/1 mine"), recorded.Add);

    [Fact]
    public async Task An_issue_opened_by_another_check_after_our_listing_is_adopted_not_duplicated()
    {
        var recorded = new List<AlertHistoryRecord>();
        var issues = new AfterFirstListing(Api, AnotherCheckOpensTheIssue);

        var sync = await Manager(issues, recorded).SyncAsync(Report(Brake()), null, "main", CancellationToken.None);

        var issue = Assert.Single(Server.Issues());
        var action = Assert.Single(sync.Actions);
        Assert.Equal((IssueClaim.AdoptedEvent, $"another check opened #{issue.Number} just before; adopting it"), (action.Event, action.Detail));
        Assert.Equal(issue.Number, sync.Report.Alerts[0].IssueNumber);
        Assert.Empty(recorded);
        Assert.DoesNotContain(IssueClaim.Event, Encoding.UTF8.GetString(Server.ReadFile("main", History)!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_issue_settled_after_our_listing_but_closed_since_is_looked_past_and_a_new_one_opened()
    {
        var recorded = new List<AlertHistoryRecord>();
        var issues = new AfterFirstListing(Api, () =>
        {
            AnotherCheckOpensTheIssue();
            Api.SetIssueOpenAsync(Assert.Single(Server.Issues()).Number, false, CancellationToken.None).GetAwaiter().GetResult();
        });

        var sync = await Manager(issues, recorded).SyncAsync(Report(Brake()), null, "main", CancellationToken.None);

        var opened = Assert.Single(Server.Issues(), i => i.Open);
        Assert.Equal(2, Server.Issues().Count);
        Assert.Equal(IssueClaim.OpenedEvent, Assert.Single(sync.Actions).Event);
        Assert.Equal(opened.Number, sync.Report.Alerts[0].IssueNumber);
        Assert.Equal(IssueClaim.Event, Assert.Single(recorded).Event);
    }

    [Fact]
    public async Task Without_another_check_the_claim_is_followed_by_one_listing_and_one_new_issue()
    {
        var recorded = new List<AlertHistoryRecord>();
        var listings = Server.Exchanges.Count(e => e.Method == "GET" && e.Path.Contains("/issues?", StringComparison.Ordinal));

        var sync = await Manager(Api, recorded).SyncAsync(Report(Brake()), null, "main", CancellationToken.None);

        Assert.Equal(IssueClaim.OpenedEvent, Assert.Single(sync.Actions).Event);
        Assert.Single(Server.Issues());
        Assert.Equal(listings + 1, Server.Exchanges.Count(e => e.Method == "GET" && e.Path.Contains("/issues?", StringComparison.Ordinal)));
    }

    /// <summary>Runs something just after the first listing of issues returns, as a check racing this one would.</summary>
    private sealed class AfterFirstListing(IForge forge, Action meanwhile) : ForwardingForge(forge)
    {
        private bool _done;

        public override async Task<IReadOnlyList<IssueInfo>> ListIssuesAsync(string label, CancellationToken cancellationToken)
        {
            var listed = await base.ListIssuesAsync(label, cancellationToken);
            if (!_done)
            {
                _done = true;
                meanwhile();
            }

            return listed;
        }
    }
}
