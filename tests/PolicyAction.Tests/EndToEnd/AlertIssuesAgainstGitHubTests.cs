using System.Text;
using PolicyAction.GitHubEmulator;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>The alert issue lifecycle, end to end: the action's alerts stage against the API double.</summary>
public sealed class AlertIssuesAgainstGitHubTests : AgainstTheDouble
{
    private const string Config = """
        version: 1
        levels: {}
        alerts:
          issues:
            repeat_interval: 24h
        """;

    protected override Dictionary<string, byte[]> InitialFiles()
    {
        var files = DoubleWorkspace.ExampleFiles();
        files[".github/policy-response.yml"] = Encoding.UTF8.GetBytes(Config);
        return files;
    }

    private void Brake(bool engaged, double hoursAgo = 5) =>
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            ["forensics/safety_brake_state.json"] = Encoding.UTF8.GetBytes(engaged
                ? $"{{\"is_engaged\": true, \"engaged_at\": \"{DateTimeOffset.UtcNow.AddHours(-hoursAgo):O}\", \"engaged_by\": \"alice\", \"reason\": \"drill\"}}"
                : "{\"is_engaged\": false}"),
        }, engaged ? "engage brake" : "release brake");

    private async Task<(CliResult Result, Dictionary<string, string> Outputs, int Writes)> CheckAsync(string commitArtifacts = "apply-only", string runId = "9001", string attempt = "1")
    {
        var before = GitHubDouble.Exchanges.Count;
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).Event("schedule", "{}").Input("command", "alerts").Input("commit-artifacts", commitArtifacts);
        runner.Environment["GITHUB_RUN_ID"] = runId;
        runner.Environment["GITHUB_RUN_ATTEMPT"] = attempt;
        var result = await runner.RunAsync();
        return (result, runner.Outputs(), GitHubDouble.Exchanges.Skip(before).Count(e => e.Method != "GET" && !e.Path.Contains("/git/", StringComparison.Ordinal)));
    }

    private void PretendLastNotified(TimeSpan ago) =>
        EditReport(alert =>
        {
            if (alert["last_notified_at"] is not null)
            {
                alert["last_notified_at"] = DateTimeOffset.UtcNow.Subtract(ago).ToString("O");
            }
        }, "time passes");

    /// <summary>Edits every alert of the committed report, as anyone who can commit can.</summary>
    private void EditReport(Action<System.Text.Json.Nodes.JsonNode> edit, string message)
    {
        var report = System.Text.Json.Nodes.JsonNode.Parse(GitHubDouble.ReadFile("main", "reports/policy_orchestration_alerts.json")!)!;
        foreach (var alert in report["alerts"]!.AsArray())
        {
            edit(alert!);
        }

        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { ["reports/policy_orchestration_alerts.json"] = Encoding.UTF8.GetBytes(report.ToJsonString()) }, message);
    }

    private System.Text.Json.Nodes.JsonNode BrakeInReport() =>
        System.Text.Json.Nodes.JsonNode.Parse(GitHubDouble.ReadFile("main", "reports/policy_orchestration_alerts.json")!)!["alerts"]!.AsArray()
            .Single(a => a!["id"]!.GetValue<string>() == "brake_engaged")!;

    /// <summary>Makes the committed report name issue <paramref name="number"/> as the brake alert's.</summary>
    private void ReportNames(int number) =>
        EditReport(alert =>
        {
            if (alert["id"]!.GetValue<string>() == "brake_engaged")
            {
                alert["issue_number"] = number;
                alert["issue_url"] = $"https://github.com/octo-org/octo-repo/issues/{number}";
            }
        }, $"the report names #{number}");

    /// <summary>Commits a report of one alert, not firing, whose <paramref name="key"/> is <paramref name="value"/>, as anyone who can commit can.</summary>
    private void CommitReport(string id, string key, System.Text.Json.Nodes.JsonNode value)
    {
        var report = new System.Text.Json.Nodes.JsonObject
        {
            ["evaluated_at"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("O"),
            ["alerts"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = id,
                ["severity"] = "critical",
                ["evaluated"] = true,
                ["firing"] = false,
                ["observed"] = "off",
                ["threshold"] = "> 4h",
                ["fingerprint"] = PolicyAction.Alerts.AlertStatus.FingerprintOf(id),
                [key] = value,
            }),
        };
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { ["reports/policy_orchestration_alerts.json"] = Encoding.UTF8.GetBytes(report.ToJsonString()) }, $"a report with {key}");
    }

    /// <summary>Someone else's issue or pull request, filed before any alert fired: it takes number 1.</summary>
    private int SomeoneElses(string kind) =>
        GitHubDouble.FileIssue("Login page is slow", "Steps to reproduce: open /login.", kind == "labelled" ? ["policy-alert"] : [], pullRequest: kind == "pull_request");

    private void AssertLeftAlone(int number)
    {
        var theirs = Assert.Single(GitHubDouble.Issues(), i => i.Number == number);
        Assert.True(theirs.Open);
        Assert.Empty(theirs.Comments);
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Method != "GET" && e.Path.Contains($"/issues/{number}", StringComparison.Ordinal));
    }

    private IssueView AlertIssue() => Assert.Single(GitHubDouble.Issues(), i => i.Title.Contains("safety brake", StringComparison.Ordinal));

    [Fact]
    public async Task Fire_repeat_resolve_and_reopen_use_one_issue()
    {
        var quiet = await CheckAsync();
        Assert.True(quiet.Result.ExitCode == 0, quiet.Result.ToString());
        Assert.Empty(GitHubDouble.Issues());
        Assert.Equal(0, quiet.Writes);

        Brake(engaged: true);
        var fired = await CheckAsync();
        Assert.Equal(1, fired.Result.ExitCode);
        Assert.Contains("::error title=Policy alert firing::brake_engaged (critical)", fired.Result.Stdout, StringComparison.Ordinal);
        var issue = AlertIssue();
        Assert.True(issue.Open);
        Assert.Equal(["policy-alert"], issue.Labels);
        Assert.Contains("<!-- POLICY_ALERT: CREATED ", issue.Body, StringComparison.Ordinal);
        Assert.Contains("fingerprint=", issue.Body, StringComparison.Ordinal);
        Assert.Equal("brake_engaged", fired.Outputs["alerts"]);
        Assert.Equal(issue.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), fired.Outputs["issue-urls"].Split('/')[^1]);
        Assert.Contains("\"issue_number\"", Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "reports/policy_orchestration_alerts.json")!), StringComparison.Ordinal);

        var soon = await CheckAsync();
        Assert.Equal(1, soon.Result.ExitCode);
        Assert.Empty(AlertIssue().Comments);
        Assert.Equal(0, soon.Writes);

        // A day passes: the committed report says the issue was last notified 25 hours ago.
        PretendLastNotified(TimeSpan.FromHours(25));
        await CheckAsync();
        Assert.StartsWith("**Still firing**", Assert.Single(AlertIssue().Comments), StringComparison.Ordinal);

        Brake(engaged: false);
        var resolved = await CheckAsync();
        Assert.Equal(0, resolved.Result.ExitCode);
        Assert.False(AlertIssue().Open);
        Assert.StartsWith("**Resolved** at", AlertIssue().Comments[^1], StringComparison.Ordinal);

        Brake(engaged: true);
        await CheckAsync();
        var reopened = AlertIssue();
        Assert.Equal(issue.Number, reopened.Number);
        Assert.True(reopened.Open);
        Assert.StartsWith("**Firing again**", reopened.Comments[^1], StringComparison.Ordinal);

        var history = Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "logs/policy_orchestration_alerts.jsonl")!);
        foreach (var change in new[] { "\"event\":\"fired\"", "\"event\":\"opened\"", "\"event\":\"repeated\"", "\"event\":\"resolved\"", "\"event\":\"reopened\"" })
        {
            Assert.Contains(change, history, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_deleted_issue_is_replaced_while_the_alert_fires_and_closes_the_new_one_when_it_resolves()
    {
        Brake(engaged: true);
        await CheckAsync();
        var first = AlertIssue();
        GitHubDouble.DeleteIssue(first.Number);
        PretendLastNotified(TimeSpan.FromHours(25));

        var refiled = await CheckAsync();

        Assert.True(refiled.Result.ExitCode == 1, refiled.Result.ToString());
        var second = AlertIssue();
        Assert.NotEqual(first.Number, second.Number);
        Assert.True(second.Open);
        Assert.Contains($"opened #{second.Number} (#{first.Number} no longer exists)", refiled.Result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"/issues/{second.Number}", refiled.Outputs["issue-urls"], StringComparison.Ordinal);

        Brake(engaged: false);
        var resolved = await CheckAsync();
        Assert.True(resolved.Result.ExitCode == 0, resolved.Result.ToString());
        Assert.False(AlertIssue().Open);
    }

    [Fact]
    public async Task An_alert_resolving_after_its_issue_was_deleted_finishes_cleanly_and_forgets_the_number()
    {
        Brake(engaged: true);
        await CheckAsync();
        var issue = AlertIssue();
        GitHubDouble.DeleteIssue(issue.Number);
        Brake(engaged: false);

        var resolved = await CheckAsync();

        Assert.True(resolved.Result.ExitCode == 0, resolved.Result.ToString());
        Assert.Contains($"#{issue.Number} no longer exists, nothing to close", resolved.Result.Stdout, StringComparison.Ordinal);
        Assert.Empty(GitHubDouble.Issues());
        Assert.Contains(GitHubDouble.Exchanges, e => e.Status == 410);
        var report = Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "reports/policy_orchestration_alerts.json")!);
        Assert.DoesNotContain("\"issue_number\"", report, StringComparison.Ordinal);

        // The next check has nothing to say to GitHub.
        var next = await CheckAsync();
        Assert.Equal(0, next.Writes);
    }

    [Fact]
    public async Task A_brake_reason_of_mentions_images_links_html_pipes_and_newlines_goes_into_the_issue_and_its_comments_as_inert_code()
    {
        const string reason = "ping @org/team ![x](https://evil/t.png) [runbook](https://evil) <img src=x> a | b\nc";
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            ["forensics/safety_brake_state.json"] = Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
            {
                ["is_engaged"] = true,
                ["engaged_at"] = DateTimeOffset.UtcNow.AddHours(-5).ToString("O"),
                ["engaged_by"] = "@mallory",
                ["reason"] = reason,
            }.ToJsonString()),
        }, "engage brake");

        var fired = await CheckAsync();
        PretendLastNotified(TimeSpan.FromHours(25));
        await CheckAsync();

        // One code span in the evidence cell: the pipe escaped for the table, the newline folded, nothing else live (no run: the brake was engaged by a commit).
        const string cell = "| `engaged by @mallory: ping @org/team ![x](https://evil/t.png) [runbook](https://evil) <img src=x> a \\| b c` |\n";
        Assert.True(fired.Result.ExitCode == 1, fired.Result.ToString());
        var issue = AlertIssue();
        Assert.Contains(cell, issue.Body, StringComparison.Ordinal);
        Assert.DoesNotMatch("@org|@mallory|evil|<img", issue.Body!.Replace(cell, string.Empty, StringComparison.Ordinal));
        var comment = Assert.Single(issue.Comments);
        Assert.Contains(cell, comment, StringComparison.Ordinal);
        Assert.DoesNotMatch("@org|@mallory|evil|<img", comment.Replace(cell, string.Empty, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("issue", "it does not carry the label policy-alert")]
    [InlineData("labelled", "its body does not carry this alert's fingerprint marker")]
    [InlineData("pull_request", "it is a pull request")]
    public async Task A_report_naming_someone_elses_issue_leaves_it_alone_and_resolves_the_alerts_own_issue(string kind, string why)
    {
        var theirs = SomeoneElses(kind);
        Brake(engaged: true);
        await CheckAsync();
        var own = AlertIssue();
        ReportNames(theirs);
        Brake(engaged: false);

        var resolved = await CheckAsync();

        Assert.True(resolved.Result.ExitCode == 0, resolved.Result.ToString());
        AssertLeftAlone(theirs);
        Assert.False(AlertIssue().Open);
        Assert.StartsWith("**Resolved** at", AlertIssue().Comments[^1], StringComparison.Ordinal);
        Assert.Contains($"::warning title=Policy alerts%3A report entry ignored::brake_engaged: issue #{theirs} in the report is not this alert's issue ({why}); it is left alone", resolved.Result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"resolved; closed #{own.Number}", resolved.Result.Stdout, StringComparison.Ordinal);
        Assert.Equal(own.Number, BrakeInReport()["issue_number"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("issue")]
    [InlineData("pull_request")]
    public async Task A_report_naming_someone_elses_issue_while_the_alert_fires_opens_the_alerts_own_and_leaves_the_other_alone(string kind)
    {
        var theirs = SomeoneElses(kind);
        CommitReport("brake_engaged", "issue_number", theirs);
        Brake(engaged: true);

        var fired = await CheckAsync();

        Assert.True(fired.Result.ExitCode == 1, fired.Result.ToString());
        AssertLeftAlone(theirs);
        var own = AlertIssue();
        Assert.NotEqual(theirs, own.Number);
        Assert.Contains($"brake_engaged: issue #{theirs} in the report is not this alert's issue", fired.Result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"fired; opened #{own.Number}\n", fired.Result.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith($"/issues/{own.Number}", fired.Outputs["issue-urls"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silenced_alert_files_nothing_but_is_shown()
    {
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            [".github/policy-response.yml"] = Encoding.UTF8.GetBytes(Config + $"\n  silences:\n    - alert: brake_engaged\n      until: \"{DateTimeOffset.UtcNow.AddDays(1):O}\"\n      reason: planned drill\n"),
        }, "silence");
        Brake(engaged: true);

        var check = await CheckAsync();

        Assert.Equal(0, check.Result.ExitCode);
        Assert.Empty(GitHubDouble.Issues());
        Assert.Contains("silenced", check.Result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_checks_at_once_open_one_issue()
    {
        Brake(engaged: true);

        var checks = await Task.WhenAll(CheckAsync(), CheckAsync(), CheckAsync());

        Assert.All(checks, c => Assert.True(c.Result.ExitCode == 1, c.Result.ToString()));
        var issue = AlertIssue();
        Assert.True(issue.Open);
        Assert.Empty(issue.Comments);
        var history = Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "logs/policy_orchestration_alerts.jsonl")!);
        Assert.Single(history.Split('\n'), line => line.Contains("\"event\":\"issue_claimed\"", StringComparison.Ordinal));
        Assert.Single(history.Split('\n'), line => line.Contains("\"event\":\"opened\"", StringComparison.Ordinal));

        // The next check adopts the one issue and stays quiet until the repeat interval passes.
        var next = await CheckAsync();
        Assert.Equal(0, next.Writes);
        Assert.Empty(AlertIssue().Comments);
    }

    [Fact]
    public async Task Server_error_bursts_and_rate_limits_while_filing_still_open_one_issue_and_commit_once()
    {
        Brake(engaged: true);
        GitHubDouble.AddFault(new Fault("502", Count: 3, Method: "POST"));
        GitHubDouble.AddFault(new Fault("500", Count: 2, Method: "GET"));
        GitHubDouble.AddFault(new Fault("429", Count: 1, Method: "PATCH", Seconds: 1));
        GitHubDouble.AddFault(new Fault("secondary-rate-limit", Count: 1, Method: "POST", PathPattern: "/issues$", Seconds: 1));
        var commitsBefore = GitHubDouble.History("main").Count;

        var check = await CheckAsync();

        Assert.True(check.Result.ExitCode == 1, check.Result.ToString());
        Assert.Equal(7, GitHubDouble.Exchanges.Count(e => e.Faulted));
        var issue = AlertIssue();
        Assert.True(issue.Open);
        Assert.Empty(issue.Comments);
        Assert.EndsWith($"/issues/{issue.Number}", check.Outputs["issue-urls"], StringComparison.Ordinal);

        // The claim and the artifacts: two commits, each landed once despite the retries.
        Assert.Equal(commitsBefore + 2, GitHubDouble.History("main").Count);
        var next = await CheckAsync();
        Assert.Equal(0, next.Writes);
        Assert.Single(GitHubDouble.Issues());
    }

    [Theory]
    [InlineData("applied-502")]
    [InlineData("applied-504")]
    [InlineData("applied-drop")]
    public async Task An_issue_that_landed_behind_a_lost_answer_is_opened_once_and_closed_when_resolved(string fault)
    {
        Brake(engaged: true);
        GitHubDouble.AddFault(new Fault(fault, Count: 1, Method: "POST", PathPattern: "/issues$"));

        var check = await CheckAsync();

        Assert.True(check.Result.ExitCode == 1, check.Result.ToString());
        var issue = Assert.Single(GitHubDouble.Issues());
        Assert.True(issue.Open);
        Assert.EndsWith($"/issues/{issue.Number}", check.Outputs["issue-urls"], StringComparison.Ordinal);

        Brake(engaged: false);
        var resolved = await CheckAsync();
        Assert.True(resolved.Result.ExitCode == 0, resolved.Result.ToString());
        Assert.False(Assert.Single(GitHubDouble.Issues()).Open);
    }

    [Fact]
    public async Task A_failure_between_claim_and_issue_holds_off_other_runs_but_not_a_rerun_of_the_same_run()
    {
        Brake(engaged: true);
        GitHubDouble.AddFault(new Fault("403", Method: "POST", PathPattern: "/issues$"));

        var failed = await CheckAsync(runId: "9001", attempt: "1");

        Assert.True(failed.Result.ExitCode == 1, failed.Result.ToString());
        Assert.Contains("403", failed.Result.Stderr + failed.Result.Stdout, StringComparison.Ordinal);
        Assert.Empty(GitHubDouble.Issues());
        var history = Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", "logs/policy_orchestration_alerts.jsonl")!);
        Assert.Contains("\"claimant\":\"run 9001/1 ", history, StringComparison.Ordinal);

        // Another run inside the hold opens nothing: for all it knows, the claimant is still opening the issue.
        var other = await CheckAsync(runId: "9002");
        Assert.Empty(GitHubDouble.Issues());
        Assert.Contains("another check (run 9001/1 ", other.Result.Stdout, StringComparison.Ordinal);

        // "Re-run failed jobs" starts attempt 2 of the same run only after attempt 1 ended: it takes over at once.
        var rerun = await CheckAsync(runId: "9001", attempt: "2");
        Assert.True(rerun.Result.ExitCode == 1, rerun.Result.ToString());
        var issue = AlertIssue();
        Assert.True(issue.Open);
        Assert.EndsWith($"/issues/{issue.Number}", rerun.Outputs["issue-urls"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_commits_a_second_issue_is_closed_as_a_duplicate()
    {
        Brake(engaged: true);

        await Task.WhenAll(CheckAsync("false"), CheckAsync("false"));

        var issues = GitHubDouble.Issues().Where(i => i.Title.Contains("safety brake", StringComparison.Ordinal)).ToArray();
        Assert.Single(issues, i => i.Open);
        Assert.All(issues.Where(i => !i.Open), i => Assert.StartsWith("Duplicate of #", i.Comments[^1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Blocked_streaks_are_inhibited_while_the_brake_has_its_own_issue()
    {
        var log = new StringBuilder();
        for (var i = 4; i > 0; i--)
        {
            log.Append($"{{\"timestamp\":\"{DateTimeOffset.UtcNow.AddMinutes(-i):O}\",\"event\":\"response_blocked\",\"policy\":\"RED\",\"mode\":\"apply\",\"blocked_by\":[\"safety_brake\"]}}\n");
        }

        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            ["state/policy_response_log.jsonl"] = ForgedRecords.Chained(log.ToString()),
            [".github/policy-response.yml"] = Encoding.UTF8.GetBytes(Config + "\n    min_severity: medium\n"),
        }, "blocked four times");
        Brake(engaged: true);

        var check = await CheckAsync();

        Assert.Equal(1, check.Result.ExitCode);
        Assert.Single(GitHubDouble.Issues());
        Assert.Equal("brake_engaged", check.Outputs["alerts"]);
        Assert.Contains("inhibited by brake_engaged", check.Result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_a_repository_of_351_branches_and_160_issues_the_alert_finds_its_issue_on_page_2_and_lists_only_fix_branches()
    {
        Brake(engaged: true);
        await CheckAsync();
        var issue = AlertIssue();

        // A busy repository: 160 newer issues with the same label (newest first, so ours is on the second page of
        // 100), and 351 branches of which 3 are fix branches.
        for (var i = 0; i < 160; i++)
        {
            GitHubDouble.FileIssue($"someone's issue {i}", $"about thing {i}", ["policy-alert"], open: i % 3 != 0);
        }

        for (var i = 0; i < 348; i++)
        {
            GitHubDouble.CreateBranch($"feature/{i:000}", "main");
        }

        for (var i = 0; i < 3; i++)
        {
            GitHubDouble.CreateBranch($"fix/policy-response/other-{i}", "main");
        }

        Assert.True(GitHubDouble.Branches().Count > 350);
        PretendLastNotified(TimeSpan.FromHours(25));
        var before = GitHubDouble.Exchanges.Count;

        var repeated = await CheckAsync();

        Assert.Equal(1, repeated.Result.ExitCode);
        Assert.Equal(issue.Number, AlertIssue().Number);
        Assert.Equal(2, AlertIssue().Comments.Count + 1);
        var exchanges = GitHubDouble.Exchanges.Skip(before).ToArray();
        Assert.DoesNotContain(exchanges, e => e.Method == "GET" && e.Path.Contains("/branches?", StringComparison.Ordinal));
        Assert.Single(exchanges, e => e.Path.Contains("/git/matching-refs/heads/fix", StringComparison.Ordinal));

        // The issues' second page was asked for through the Link GitHub gave, in the /repositories/{id}/ form.
        Assert.Contains(exchanges, e => e.Path.StartsWith($"/repositories/{PolicyAction.GitHubEmulator.GitHubEmulator.RepositoryId}/issues?", StringComparison.Ordinal) && e.Path.Contains("page=2", StringComparison.Ordinal));
    }

    /// <summary>Three responses in a row with a failed action: action_failures fires, and creates a fix branch.</summary>
    private void ThreeFailedResponses()
    {
        var log = new StringBuilder();
        for (var i = 3; i > 0; i--)
        {
            var id = Guid.NewGuid();
            log.Append($"{{\"timestamp\":\"{DateTimeOffset.UtcNow.AddHours(-i):O}\",\"event\":\"action_finished\",\"response_id\":\"{id}\",\"action\":\"mirror\",\"status\":\"failed\",\"detail\":\"exited with code 1\"}}\n");
            log.Append($"{{\"timestamp\":\"{DateTimeOffset.UtcNow.AddHours(-i):O}\",\"event\":\"response_finished\",\"response_id\":\"{id}\",\"policy\":\"RED\",\"mode\":\"apply\",\"status\":\"failed\",\"actions_failed\":1}}\n");
        }

        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]>
        {
            ["state/policy_response_log.jsonl"] = ForgedRecords.Chained(log.ToString()),
            [".github/policy-response.yml"] = Encoding.UTF8.GetBytes(Config + "\n    min_severity: medium\n"),
        }, "three failed responses");
    }

    [Fact]
    public async Task Repeated_action_failures_create_one_fix_branch_and_never_move_it()
    {
        ThreeFailedResponses();
        await CheckAsync();
        var branch = Assert.Single(GitHubDouble.Branches(), b => b.StartsWith("fix/policy-response/", StringComparison.Ordinal));
        var head = GitHubDouble.BranchHead(branch);
        var issue = Assert.Single(GitHubDouble.Issues());
        Assert.Contains(branch, issue.Body, StringComparison.Ordinal);

        // Someone commits a fix on the branch; the next check must leave it where it is.
        GitHubDouble.CommitFiles(branch, new Dictionary<string, byte[]> { ["fix.txt"] = "work in progress"u8.ToArray() }, "a person's fix");
        var theirs = GitHubDouble.BranchHead(branch);
        await CheckAsync();

        Assert.NotEqual(head, theirs);
        Assert.Equal(theirs, GitHubDouble.BranchHead(branch));
        Assert.Single(GitHubDouble.Branches(), b => b.StartsWith("fix/policy-response/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Assignees_are_set_and_one_github_cannot_assign_leaves_the_issue_opened_unassigned_with_a_warning(bool ghostAssignable)
    {
        GitHubDouble.Assignable = ghostAssignable ? ["alice", "ghost"] : ["alice"];
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [".github/policy-response.yml"] = Encoding.UTF8.GetBytes(Config + "\n    assignees: [alice, ghost]\n") }, "assignees");
        Brake(engaged: true);

        var fired = await CheckAsync();

        var issue = AlertIssue();
        Assert.Equal(1, fired.Result.ExitCode);
        if (ghostAssignable)
        {
            Assert.Equal(["alice", "ghost"], issue.Assignees);
            Assert.DoesNotContain("issue unassigned", fired.Result.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(issue.Assignees);
            Assert.Contains("::warning title=Policy alerts%3A issue unassigned::brake_engaged: GitHub cannot assign the issue (invalid assignee ghost); opened the issue unassigned.", fired.Result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_fix_branch_the_checker_made_belongs_to_its_alerts_issue_and_opens_no_second_one()
    {
        // Every alert opens an issue here, fix_branches (medium) included: the tool's own branch must not count as new.
        ThreeFailedResponses();

        await CheckAsync();
        var second = await CheckAsync();

        var branch = Assert.Single(GitHubDouble.Branches(), b => b.StartsWith("fix/", StringComparison.Ordinal));
        var issue = Assert.Single(GitHubDouble.Issues());
        Assert.Contains("actions failing repeatedly", issue.Title, StringComparison.Ordinal);
        Assert.Contains($"**Fix branch**: `{branch}`", issue.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("fix_branches", second.Outputs["alerts"], StringComparison.Ordinal);

        // A branch a person makes under fix/ is still a new cause of its own.
        GitHubDouble.CreateBranch("fix/someones-hotfix", "main");
        var third = await CheckAsync();
        Assert.Contains("fix_branches", third.Outputs["alerts"], StringComparison.Ordinal);
        Assert.Equal(2, GitHubDouble.Issues().Count);
    }

    [Theory]
    [InlineData("main](https://evil) `x` ![t](https://evil/t.png)", "it contains a space, a control character or one of ~ ^ : ? * [ \\")]
    [InlineData("fix/policy-response/0000000000000000", "this alert's fix branch is fix/policy-response/")]
    [InlineData("release/v1", "it is not under fix/policy-response/")]
    public async Task A_fix_branch_in_the_report_that_is_not_the_alerts_own_is_ignored_and_the_real_one_made(string named, string why)
    {
        CommitReport("action_failures", "fix_branch", named);
        ThreeFailedResponses();

        var check = await CheckAsync();

        var own = "fix/policy-response/" + PolicyAction.Alerts.AlertStatus.FingerprintOf("action_failures");
        var body = Assert.Single(GitHubDouble.Issues()).Body!;
        Assert.DoesNotContain(named, body, StringComparison.Ordinal);
        Assert.Contains($"**Fix branch**: `{own}`, created for this alert", body, StringComparison.Ordinal);
        Assert.Contains(own, GitHubDouble.Branches());
        Assert.Contains($"action_failures: the report's fix_branch '{named}' is ignored ({why}", check.Result.Stdout, StringComparison.Ordinal);
    }
}
