using Microsoft.Extensions.Time.Testing;
using PolicyAction.Forge;
using PolicyAction.GitHub;
using PolicyAction.GitHubEmulator;
using PolicyAction.Orchestrator;
using PolicyAction.Orchestrator.Providers;

namespace PolicyAction.Tests.Orchestrator;

/// <summary>
/// Each github signal query against the API double over real HTTP (our Octokit client, GitHub's paging, its
/// refusals), every exchange checked against GitHub's description.
/// </summary>
public sealed class GitHubSignalProviderTests : IAsyncLifetime
{
    /// <summary>Whole seconds: GitHub's timestamps have no fractions, so the window's edge can be hit exactly.</summary>
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private PolicyAction.GitHubEmulator.GitHubEmulator _github = null!;
    private RetryingHandler _handler = null!;
    private OctokitForge _forge = null!;
    private GitHubSignalProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _github = await PolicyAction.GitHubEmulator.GitHubEmulator.StartAsync();
        _handler = new RetryingHandler(new HttpClientHandler(), new RetryPolicy(2, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5), TimeSpan.Zero), TimeProvider.System);
        _forge = OctokitForge.Create(_github.BaseAddress.ToString(), _github.Options.Token, _github.Repository, _handler);
        _provider = new GitHubSignalProvider(_ => Task.FromResult<IForge>(_forge), new FakeTimeProvider(Now));
    }

    public async Task DisposeAsync()
    {
        _handler.Dispose();
        _github.AssertContractHonoured();
        await _github.DisposeAsync();
    }

    private static SignalDefinition Signal(GitHubSource source) =>
        new("signal", null, source, null, null, Persistence.Immediately, false, null);

    private Task<SignalReading> Read(GitHubSource source) => _provider.ReadAsync(Signal(source), CancellationToken.None);

    private int Requests(string pathPart) => _github.Exchanges.Count(e => e.Path.Contains(pathPart, StringComparison.Ordinal));

    // ---------------------------------------------------------------- workflow_runs

    [Fact]
    public async Task Failed_runs_counts_completed_failures_in_the_window_across_pages()
    {
        for (var i = 0; i < 150; i++)
        {
            _github.AddWorkflowRun("ci.yml", Now.AddMinutes(-i), i % 3 == 0 ? "timed_out" : "failure");
        }

        for (var i = 0; i < 30; i++)
        {
            _github.AddWorkflowRun("ci.yml", Now.AddHours(-2), "success");
        }

        _github.AddWorkflowRun("ci.yml", Now.AddHours(-1), "startup_failure");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-1), "cancelled");
        _github.AddWorkflowRun("ci.yml", Now.AddMinutes(-5), conclusion: null, status: "in_progress");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-30), "failure");
        _github.AddWorkflowRun("release.yml", Now.AddHours(-1), "failure");

        var reading = await Read(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "ci.yml"));

        Assert.Equal(151, reading.Value);
        Assert.Contains("151 failed of 182 completed runs of ci.yml in the last", reading.Detail, StringComparison.Ordinal);
        Assert.Equal(2, Requests("/actions/workflows/ci.yml/runs"));
    }

    [Fact]
    public async Task A_run_created_exactly_at_the_window_edge_counts_and_one_a_second_older_does_not()
    {
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-6), "failure");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-6).AddSeconds(-1), "failure");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-1), "failure", branch: "feature/x");

        var onMain = await Read(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "ci.yml", Window: TimeSpan.FromHours(6), Branch: "main"));
        var anywhere = await Read(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "ci.yml", Window: TimeSpan.FromHours(6)));

        Assert.Equal(1, onMain.Value);
        Assert.Equal(2, anywhere.Value);
    }

    [Fact]
    public async Task Failure_ratio_is_failed_over_completed_and_absent_without_completed_runs()
    {
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-1), "failure");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-2), "success");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-3), "success");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-4), "success");
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-1), conclusion: null, status: "in_progress");
        _github.AddWorkflowRun("deploy.yml", Now.AddHours(-1), conclusion: null, status: "queued");

        var ratio = await Read(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "ci.yml", Measure: RunMeasure.FailureRatio));
        var none = await Read(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "deploy.yml", Measure: RunMeasure.FailureRatio));

        Assert.Equal(0.25, ratio.Value);
        Assert.Equal("1 of 4 completed runs of ci.yml in the last 1d failed", ratio.Detail);
        Assert.Equal(0, none.Value);
        Assert.False(none.IsUnknown);
        Assert.Equal("no completed runs of deploy.yml in the last 1d, so none failed", none.Detail);
    }

    [Fact]
    public async Task Beyond_ten_pages_the_count_read_is_a_lower_bound_and_says_so()
    {
        for (var i = 0; i < 1005; i++)
        {
            _github.AddWorkflowRun("ci.yml", Now.AddSeconds(-i), "failure");
        }

        var reading = await Read(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "ci.yml"));

        Assert.Equal(1000, reading.Value);
        Assert.StartsWith("at least 1000 failed", reading.Detail, StringComparison.Ordinal);
        Assert.Contains("stopped after 10 pages of 100", reading.Detail, StringComparison.Ordinal);
        Assert.Equal(ListingBounds.MaxPages, Requests("/runs"));
    }

    // ---------------------------------------------------------------- alerts

    [Fact]
    public async Task Dependabot_alerts_count_open_ones_at_or_above_the_severity_following_cursor_pages()
    {
        for (var i = 0; i < 230; i++)
        {
            _github.AddDependabotAlert(i % 2 == 0 ? "high" : "low");
        }

        _github.AddDependabotAlert("critical");
        _github.AddDependabotAlert("medium");
        _github.AddDependabotAlert("critical", state: "dismissed");
        _github.AddDependabotAlert("high", state: "fixed");

        var high = await Read(new GitHubSource(GitHubQuery.DependabotAlerts));
        var medium = await Read(new GitHubSource(GitHubQuery.DependabotAlerts, MinSeverity: AlertSeverityLevel.Medium));
        var critical = await Read(new GitHubSource(GitHubQuery.DependabotAlerts, MinSeverity: AlertSeverityLevel.Critical));
        var low = await Read(new GitHubSource(GitHubQuery.DependabotAlerts, MinSeverity: AlertSeverityLevel.Low));

        Assert.Equal(116, high.Value);
        Assert.Equal(117, medium.Value);
        Assert.Equal(1, critical.Value);
        Assert.Equal(232, low.Value);
        Assert.Equal("116 open Dependabot alerts at high or above (of 232 open)", high.Detail);

        // Three pages each, the second and third asked for by the cursor GitHub's Link header gave.
        Assert.Equal(12, Requests("/dependabot/alerts"));
        Assert.Equal(8, _github.Exchanges.Count(e => e.Path.Contains("/dependabot/alerts", StringComparison.Ordinal) && e.Path.Contains("after=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Code_scanning_alerts_use_the_security_severity_else_the_rule_severity()
    {
        _github.AddCodeScanningAlert("error", securitySeverity: null);      // high
        _github.AddCodeScanningAlert("warning", securitySeverity: null);    // medium
        _github.AddCodeScanningAlert("note", securitySeverity: null);       // low
        _github.AddCodeScanningAlert("warning", securitySeverity: "critical");
        _github.AddCodeScanningAlert("error", securitySeverity: "low");
        _github.AddCodeScanningAlert("error", securitySeverity: "high", state: "dismissed");

        var high = await Read(new GitHubSource(GitHubQuery.CodeScanningAlerts));
        var medium = await Read(new GitHubSource(GitHubQuery.CodeScanningAlerts, MinSeverity: AlertSeverityLevel.Medium));

        Assert.Equal(2, high.Value);
        Assert.Equal(3, medium.Value);
    }

    [Fact]
    public async Task Secret_scanning_alerts_count_every_open_alert()
    {
        _github.AddSecretScanningAlert();
        _github.AddSecretScanningAlert();
        _github.AddSecretScanningAlert(state: "resolved");

        var reading = await Read(new GitHubSource(GitHubQuery.SecretScanningAlerts, MinSeverity: AlertSeverityLevel.Critical));

        Assert.Equal(2, reading.Value);
        Assert.Equal("2 open secret scanning alerts", reading.Detail);
    }

    // ---------------------------------------------------------------- check runs, commit status, issues

    [Fact]
    public async Task Check_runs_count_failing_latest_runs_on_the_default_branch()
    {
        _github.AddCheckRun("main", "build", "failure");
        _github.AddCheckRun("main", "lint", "failure");
        _github.AddCheckRun("main", "lint", "success");          // re-run: the latest counts
        _github.AddCheckRun("main", "test", "timed_out");
        _github.AddCheckRun("main", "deploy", "action_required");
        _github.AddCheckRun("main", "docs", "cancelled");
        _github.AddCheckRun("main", "optional", "neutral");
        _github.AddCheckRun("main", "slow", conclusion: null, status: "in_progress");

        var reading = await Read(new GitHubSource(GitHubQuery.CheckRuns));

        Assert.Equal(3, reading.Value);
        Assert.StartsWith("3 failing of 7 check runs on main: ", reading.Detail, StringComparison.Ordinal);
        Assert.Equal(1, Requests("/check-runs"));
        Assert.Equal(1, _github.Exchanges.Count(e => e.Path == $"/repos/{_github.Repository}"));
    }

    [Fact]
    public async Task Commit_status_counts_contexts_whose_latest_status_failed_or_errored()
    {
        _github.CreateBranch("release", "main");
        _github.CommitFiles("release", new Dictionary<string, byte[]> { ["VERSION"] = "2\n"u8.ToArray() }, "release 2");
        _github.AddCommitStatus("release", "ci/build", "failure");
        _github.AddCommitStatus("release", "ci/build", "success");
        _github.AddCommitStatus("release", "ci/test", "failure");
        _github.AddCommitStatus("release", "ci/scan", "error");
        _github.AddCommitStatus("release", "ci/slow", "pending");
        _github.AddCommitStatus("main", "other", "failure");

        var reading = await Read(new GitHubSource(GitHubQuery.CommitStatus, Ref: "release"));

        Assert.Equal(2, reading.Value);
        Assert.Equal("2 failing of 4 status contexts on release: ci/scan, ci/test", reading.Detail);
        Assert.Equal(0, _github.Exchanges.Count(e => e.Path == $"/repos/{_github.Repository}"));
    }

    [Fact]
    public async Task Issues_count_open_issues_with_the_label_not_pull_requests_across_pages()
    {
        for (var i = 0; i < 130; i++)
        {
            _github.FileIssue($"incident {i}", null, ["incident"]);
        }

        _github.FileIssue("closed", null, ["incident"], open: false);
        _github.FileIssue("a fix", null, ["incident"], pullRequest: true);
        _github.FileIssue("unrelated", null, ["bug"]);

        var reading = await Read(new GitHubSource(GitHubQuery.Issues, Label: "incident"));

        Assert.Equal(130, reading.Value);
        Assert.Equal("130 open issues labelled incident", reading.Detail);
        Assert.Equal(2, Requests("/issues"));
    }

    // ---------------------------------------------------------------- refusals

    public static TheoryData<string, string, string> Permissions => new()
    {
        { nameof(GitHubQuery.WorkflowRuns), "actions", "`actions: read`" },
        { nameof(GitHubQuery.DependabotAlerts), "vulnerability_alerts", "`security-events: read`" },
        { nameof(GitHubQuery.CodeScanningAlerts), "security_events", "`security-events: read`" },
        { nameof(GitHubQuery.SecretScanningAlerts), "secret_scanning_alerts", "a fine-grained token or GitHub App with \"Secret scanning alerts: read\" (the workflow's GITHUB_TOKEN cannot be given it)" },
        { nameof(GitHubQuery.CheckRuns), "checks", "`checks: read`" },
        { nameof(GitHubQuery.CommitStatus), "statuses", "`statuses: read`" },
        { nameof(GitHubQuery.Issues), "issues", "`issues: read`" },
    };

    [Theory]
    [MemberData(nameof(Permissions))]
    public async Task A_token_without_the_permission_gives_unknown_naming_it_never_zero(string query, string permission, string named)
    {
        _github.WithholdPermission(permission);
        _github.AddWorkflowRun("ci.yml", Now.AddHours(-1), "failure");

        var reading = await Read(new GitHubSource(Enum.Parse<GitHubQuery>(query), Workflow: "ci.yml", Label: "incident"));

        Assert.True(reading.IsUnknown);
        Assert.Null(reading.Value);
        Assert.Contains("GitHub answered 403: Resource not accessible by integration", reading.UnknownReason, StringComparison.Ordinal);
        Assert.Contains($"the token needs {named}", reading.UnknownReason, StringComparison.Ordinal);
        Assert.Contains($"(GitHub accepts: {permission}=read)", reading.UnknownReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SecurityFeature.DependabotAlerts, nameof(GitHubQuery.DependabotAlerts), "403: Dependabot alerts are disabled for this repository.")]
    [InlineData(SecurityFeature.CodeScanning, nameof(GitHubQuery.CodeScanningAlerts), "404: no analysis found")]
    [InlineData(SecurityFeature.AdvancedSecurity, nameof(GitHubQuery.CodeScanningAlerts), "403: Advanced Security must be enabled for this repository to use code scanning.")]
    [InlineData(SecurityFeature.SecretScanning, nameof(GitHubQuery.SecretScanningAlerts), "404: Secret scanning is disabled on this repository.")]
    public async Task A_feature_that_is_off_gives_unknown_with_githubs_message(SecurityFeature feature, string query, string answer)
    {
        _github.DisableFeature(feature);

        var reading = await Read(new GitHubSource(Enum.Parse<GitHubQuery>(query)));

        Assert.True(reading.IsUnknown);
        Assert.Equal($"GitHub answered {answer}; the feature is off for this repository: turn it on (Settings → Code security) or remove the signal", reading.UnknownReason);
    }

    [Fact]
    public async Task A_workflow_that_does_not_exist_is_unknown_not_zero()
    {
        var reading = await Read(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "nope.yml"));

        Assert.True(reading.IsUnknown);
        Assert.StartsWith("GitHub answered 404: Not Found; the workflow, ref or feature does not exist or the token cannot see it", reading.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_the_signal_is_unknown_naming_the_permission()
    {
        var provider = new GitHubSignalProvider(_ => throw new UsageException("no github-token input (and no GITHUB_TOKEN)"), new FakeTimeProvider(Now));

        var reading = await provider.ReadAsync(Signal(new GitHubSource(GitHubQuery.WorkflowRuns, Workflow: "ci.yml")), CancellationToken.None);

        Assert.True(reading.IsUnknown);
        Assert.Equal("cannot reach GitHub (no github-token input (and no GITHUB_TOKEN)); this signal needs a github-token with `actions: read` (a fine-grained token or GitHub App: \"Actions: read\")", reading.UnknownReason);
    }

    [Fact]
    public async Task A_server_failure_that_outlasts_the_retries_is_unknown_not_zero()
    {
        _github.AddFault(new Fault("500", Count: 10, PathPattern: "/check-runs"));

        var reading = await Read(new GitHubSource(GitHubQuery.CheckRuns, Ref: "main"));

        Assert.True(reading.IsUnknown);
        Assert.Contains("500", reading.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_is_the_one_thing_that_throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _provider.ReadAsync(Signal(new GitHubSource(GitHubQuery.Issues, Label: "incident")), cancelled.Token));
    }

    [Fact]
    public void Every_query_has_a_class_naming_its_permission()
    {
        Assert.Equal(Enum.GetValues<GitHubQuery>().Order(), GitHubSignalProvider.AllQueries.Select(q => q.Query).Order());
        Assert.All(GitHubSignalProvider.AllQueries, q => Assert.False(string.IsNullOrWhiteSpace(q.Permission.FineGrained)));
    }
}
