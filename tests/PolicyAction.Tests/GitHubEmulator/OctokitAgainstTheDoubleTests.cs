using System.Text;
using PolicyAction.Forge;
using PolicyAction.GitHub;
using PolicyAction.GitHubEmulator;

namespace PolicyAction.Tests.GitHubEmulator;

/// <summary>Our Octokit client over real HTTP against the double; every exchange checked against GitHub's description.</summary>
public sealed class OctokitAgainstTheDoubleTests : IAsyncLifetime
{
    private PolicyAction.GitHubEmulator.GitHubEmulator _github = null!;
    private RetryingHandler _handler = null!;
    private OctokitForge _api = null!;

    public async Task InitializeAsync()
    {
        _github = await PolicyAction.GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions
        {
            Files = new Dictionary<string, byte[]> { ["state/policy_response_log.jsonl"] = "{\"a\":1}\n"u8.ToArray(), ["README.md"] = "hi\n"u8.ToArray() },
        });
        _handler = new RetryingHandler(new HttpClientHandler(), new RetryPolicy(4, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30), TimeSpan.Zero), TimeProvider.System);
        _api = OctokitForge.Create(_github.BaseAddress.ToString(), _github.Options.Token, _github.Repository, _handler);
    }

    public async Task DisposeAsync()
    {
        _handler.Dispose();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task Commits_files_fast_forward_only_and_reads_them_back()
    {
        var branch = await _api.GetDefaultBranchAsync(CancellationToken.None);
        var head = (await _api.GetBranchHeadAsync(branch, CancellationToken.None))!;

        byte[] binary = [0x00, 0xff, 0xfe, (byte)'\n'];
        var commit = await _api.CreateCommitAsync(head, [new FileChange("state/policy_response_log.jsonl", "{\"a\":1}\n{\"b\":2}\n"u8.ToArray()), new FileChange("state/new/undo.json", "{}"u8.ToArray()), new FileChange("state/blob.bin", binary)], "policy-response: test", CancellationToken.None);
        Assert.True(await _api.TryFastForwardAsync(branch, commit.CommitSha, CancellationToken.None));

        var read = await _api.GetFileAsync(commit.CommitSha, "state/policy_response_log.jsonl", CancellationToken.None);
        Assert.Equal("{\"a\":1}\n{\"b\":2}\n", Encoding.UTF8.GetString(read!));
        Assert.Equal(binary, await _api.GetFileAsync(commit.CommitSha, "state/blob.bin", CancellationToken.None));
        Assert.Equal("hi\n", Encoding.UTF8.GetString(_github.ReadFile("main", "README.md")!));
        Assert.Null(await _api.GetFileAsync(commit.CommitSha, "no/such/file", CancellationToken.None));
        Assert.Equal(commit, await _api.GetBranchHeadAsync(branch, CancellationToken.None));

        // Text rides inside the tree request; only the binary file needed a blob of its own.
        Assert.Single(_github.Exchanges, e => e.Method == "POST" && e.Path.EndsWith("/git/blobs", StringComparison.Ordinal));
        Assert.Null(await _api.GetBranchHeadAsync("no-such-branch", CancellationToken.None));
        _github.AssertContractHonoured();
    }

    [Theory]
    [InlineData(BranchRule.Classic, "Protected branch update failed for refs/heads/main.")]
    [InlineData(BranchRule.Ruleset, "Repository rule violations found Changes must be made through a pull request.")]
    public async Task A_protected_branch_stops_the_write_at_once_naming_the_branch_the_rule_and_the_ways_out(BranchRule rule, string message)
    {
        _github.ProtectBranch("main", rule);
        var log = _github.ReadFile("main", "state/policy_response_log.jsonl")!;

        var put = await Assert.ThrowsAsync<BranchProtectedException>(() => _api.TryPutFileAsync("main", "state/policy_response_log.jsonl", PolicyAction.SharedBranch.GitBlob.Sha(log), [.. log, .. "{\"b\":2}\n"u8], "m", CancellationToken.None));
        var head = (await _api.GetBranchHeadAsync("main", CancellationToken.None))!;
        var commit = await _api.CreateCommitAsync(head, [new FileChange("a.txt", "a"u8.ToArray())], "m", CancellationToken.None);
        var move = await Assert.ThrowsAsync<BranchProtectedException>(() => _api.TryFastForwardAsync("main", commit.CommitSha, CancellationToken.None));

        foreach (var refused in new[] { put, move })
        {
            Assert.Equal("main", refused.Branch);
            Assert.Contains(message, refused.Message, StringComparison.Ordinal);
            Assert.Contains("commit-branch", refused.Message, StringComparison.Ordinal);
            Assert.Contains("Bypass list", refused.Message, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.ActionFailed, refused.ExitCode);
        }

        if (rule == BranchRule.Ruleset)
        {
            Assert.Contains($"pull_request (ruleset {PolicyAction.GitHubEmulator.GitHubEmulator.RulesetId})", put.Message, StringComparison.Ordinal);
        }

        // Each refusal: one write, no retries, and at most one read to name the rule.
        Assert.Single(_github.Exchanges, e => e.Method == "PUT");
        Assert.Single(_github.Exchanges, e => e.Method == "PATCH");
        Assert.Equal(2, _github.Exchanges.Count(e => e.Path.Contains("/rules/branches/", StringComparison.Ordinal)));
        Assert.Equal(log, _github.ReadFile("main", "state/policy_response_log.jsonl"));
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task Reference_update_failed_is_tried_again_then_reported_and_an_existing_branch_is_reused()
    {
        var head = (await _api.GetBranchHeadAsync("main", CancellationToken.None))!;
        var commit = await _api.CreateCommitAsync(head, [new FileChange("a.txt", "a"u8.ToArray())], "m", CancellationToken.None);
        _github.AddFault(new Fault("reference-update-failed", Count: 1, Method: "PATCH"));
        Assert.True(await _api.TryFastForwardAsync("main", commit.CommitSha, CancellationToken.None));
        Assert.Equal(commit.CommitSha, _github.BranchHead("main"));

        var next = await _api.CreateCommitAsync(commit, [new FileChange("b.txt", "b"u8.ToArray())], "m", CancellationToken.None);
        _github.AddFault(new Fault("reference-update-failed", Count: OctokitForge.MaxReferenceUpdateAttempts, Method: "PATCH"));
        var failed = await Assert.ThrowsAsync<ForgeException>(() => _api.TryFastForwardAsync("main", next.CommitSha, CancellationToken.None));
        Assert.Contains("Reference update failed", failed.Message, StringComparison.Ordinal);
        Assert.Equal(1 + 1 + OctokitForge.MaxReferenceUpdateAttempts, _github.Exchanges.Count(e => e.Method == "PATCH"));

        Assert.True(await _api.CreateBranchAsync("fix/one", commit.CommitSha, CancellationToken.None));
        Assert.False(await _api.CreateBranchAsync("fix/one", next.CommitSha, CancellationToken.None));
        Assert.Equal(commit.CommitSha, _github.BranchHead("fix/one"));
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task A_comment_at_the_alert_limit_still_fits_with_its_marker()
    {
        var issue = await _api.CreateIssueAsync("t", "b", ["policy-alert"], [], CancellationToken.None);

        Assert.True(await _api.AddCommentAsync(issue.Number, new string('x', PolicyAction.Alerts.AlertIssueText.CommentBodyLimit), CancellationToken.None));
        Assert.InRange(_github.Issues().Single().Comments.Single().Length, PolicyAction.Alerts.AlertIssueText.CommentBodyLimit + 1, PolicyAction.GitHubEmulator.GitHubEmulator.BodyLimit);
        _github.AssertContractHonoured();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_over_1_mib_is_read_whole_from_github_and_from_enterprise_server(bool enterpriseServer)
    {
        _github.AnswersLikeEnterpriseServer = enterpriseServer;
        var large = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"{{\"seq\":{i},\"pad\":\"{new string('x', 40)}\"}}\n")));
        Assert.True(large.Length > PolicyAction.GitHubEmulator.GitHubEmulator.LargeFileBytes);
        var commit = _github.CommitFiles("main", new Dictionary<string, byte[]> { ["state/policy_response_log.jsonl"] = large }, "large log");

        var onBranch = await _api.GetFileOnBranchAsync("main", "state/policy_response_log.jsonl", CancellationToken.None);
        var atCommit = await _api.GetFileAsync(commit, "state/policy_response_log.jsonl", CancellationToken.None);

        Assert.Equal(large, onBranch.Content);
        Assert.Equal(PolicyAction.SharedBranch.GitBlob.Sha(large), onBranch.BlobSha);
        Assert.Equal(large, atCommit);

        // Octokit's own contents call asks in the default media type: Enterprise Server refuses it, api.github.com
        // answers without the content. Neither is what the tool relies on.
        var client = new Octokit.GitHubClient(new Octokit.ProductHeaderValue("t"), new Uri(_github.BaseAddress.ToString())) { Credentials = new Octokit.Credentials(_github.Options.Token) };
        if (enterpriseServer)
        {
            var refused = await Assert.ThrowsAsync<Octokit.ForbiddenException>(() => client.Repository.Content.GetAllContentsByRef("octo-org", "octo-repo", "state/policy_response_log.jsonl", "main"));
            Assert.Contains(refused.ApiError.Errors, e => e.Code == "too_large");
        }
        else
        {
            var listed = await client.Repository.Content.GetAllContentsByRef("octo-org", "octo-repo", "state/policy_response_log.jsonl", "main");
            Assert.Equal(("none", string.Empty), (listed[0].Encoding, listed[0].EncodedContent));
        }

        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task A_stale_commit_is_not_a_fast_forward_and_the_branch_keeps_the_other_commit()
    {
        var head = (await _api.GetBranchHeadAsync("main", CancellationToken.None))!;
        var mine = await _api.CreateCommitAsync(head, [new FileChange("a.txt", "mine"u8.ToArray())], "mine", CancellationToken.None);
        var theirs = _github.CommitFiles("main", new Dictionary<string, byte[]> { ["b.txt"] = "theirs"u8.ToArray() }, "theirs");

        Assert.False(await _api.TryFastForwardAsync("main", mine.CommitSha, CancellationToken.None));
        Assert.Equal(theirs, _github.BranchHead("main"));
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task Issues_round_trip_open_comment_close_reopen_and_list_by_label()
    {
        var created = await _api.CreateIssueAsync("title", "body <!-- marker -->", ["policy-alert"], [], CancellationToken.None);
        await _api.CreateIssueAsync("other", "unlabelled", ["something-else"], [], CancellationToken.None);
        await _api.AddCommentAsync(created.Number, "still firing", CancellationToken.None);
        await _api.SetIssueOpenAsync(created.Number, false, CancellationToken.None);

        var listed = await _api.ListIssuesAsync("policy-alert", CancellationToken.None);

        var issue = Assert.Single(listed);
        Assert.Equal((created.Number, false, "body <!-- marker -->"), (issue.Number, issue.Open, issue.Body));
        Assert.NotNull(issue.ClosedAt);
        await _api.SetIssueOpenAsync(created.Number, true, CancellationToken.None);
        Assert.True(_github.Issues().Single(i => i.Number == created.Number).Open);
        Assert.StartsWith("still firing\n<!-- policy-response comment=", Assert.Single(_github.Issues().Single(i => i.Number == created.Number).Comments), StringComparison.Ordinal);
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task One_issue_is_read_with_its_labels_and_a_pull_request_is_told_apart_as_github_serves_both_there()
    {
        var issue = await _api.CreateIssueAsync("title", "body <!-- marker -->", ["policy-alert", "triage"], [], CancellationToken.None);
        var pull = _github.FileIssue("a pull request", "please merge", ["policy-alert"], pullRequest: true);
        var deleted = _github.FileIssue("soon gone", "body", []);
        _github.DeleteIssue(deleted);

        var read = await _api.GetIssueAsync(issue.Number, CancellationToken.None);
        var readPull = await _api.GetIssueAsync(pull, CancellationToken.None);

        Assert.Equal((issue.Number, true, "body <!-- marker -->", false), (read!.Number, read.Open, read.Body, read.IsPullRequest));
        Assert.Equal(["policy-alert", "triage"], read.Labels);
        Assert.True(readPull!.IsPullRequest);
        Assert.EndsWith($"/pull/{pull}", readPull.Url, StringComparison.Ordinal);
        Assert.Null(await _api.GetIssueAsync(deleted, CancellationToken.None));
        Assert.Null(await _api.GetIssueAsync(999, CancellationToken.None));

        // The issues list serves the pull request too, as GitHub does; the forge leaves it out.
        Assert.Equal([issue.Number], (await _api.ListIssuesAsync("policy-alert", CancellationToken.None)).Select(i => i.Number));
        Assert.Contains(_github.Exchanges, e => e.Path.Contains("/issues?", StringComparison.Ordinal) && e.ResponseBody!.Contains("\"pull_request\"", StringComparison.Ordinal));
        Assert.Equal([410, 404], _github.Exchanges.Where(e => e.Status >= 400).Select(e => e.Status));
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task A_deleted_or_missing_issue_is_reported_as_gone_not_as_a_failure()
    {
        var created = await _api.CreateIssueAsync("title", "body", ["policy-alert"], [], CancellationToken.None);
        _github.DeleteIssue(created.Number);

        Assert.False(await _api.AddCommentAsync(created.Number, "still firing", CancellationToken.None));
        Assert.False(await _api.SetIssueOpenAsync(created.Number, false, CancellationToken.None));
        Assert.False(await _api.AddCommentAsync(999, "never existed", CancellationToken.None));
        Assert.Empty(await _api.ListIssuesAsync("policy-alert", CancellationToken.None));
        Assert.Equal([410, 410, 404], _github.Exchanges.Where(e => e.Method != "GET" && e.Status >= 400).Select(e => e.Status));

        // A deleted number is never handed out again.
        var next = await _api.CreateIssueAsync("title", "body", ["policy-alert"], [], CancellationToken.None);
        Assert.Equal(created.Number + 1, next.Number);
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task Branches_are_created_once_and_listed_by_prefix()
    {
        var head = (await _api.GetBranchHeadAsync("main", CancellationToken.None))!;

        Assert.True(await _api.CreateBranchAsync("fix/policy-response/abc", head.CommitSha, CancellationToken.None));
        Assert.False(await _api.CreateBranchAsync("fix/policy-response/abc", head.CommitSha, CancellationToken.None));
        Assert.Equal(["fix/policy-response/abc"], await _api.ListBranchesAsync("fix/", CancellationToken.None));
        _github.AssertContractHonoured();
    }

    [Theory]
    [InlineData("500")]
    [InlineData("502")]
    [InlineData("429")]
    [InlineData("secondary-rate-limit")]
    public async Task Faults_are_retried_and_the_call_succeeds(string kind)
    {
        _github.AddFault(new Fault(kind, Count: 2, Method: "GET", Seconds: 1));

        var head = await _api.GetBranchHeadAsync("main", CancellationToken.None);

        Assert.NotNull(head);
        Assert.Equal(2, _github.Exchanges.Count(e => e.Faulted));
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task A_read_that_hangs_is_abandoned_after_the_attempt_timeout_and_retried()
    {
        using var handler = new RetryingHandler(new HttpClientHandler(), new RetryPolicy(4, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), AttemptTimeout: TimeSpan.FromMilliseconds(500), WriteInterval: TimeSpan.Zero, ServerGivesUpAfter: TimeSpan.FromSeconds(2.5)), TimeProvider.System);
        var api = OctokitForge.Create(_github.BaseAddress.ToString(), _github.Options.Token, _github.Repository, handler);
        _github.AddFault(new Fault("slow", Count: 1, Method: "GET", Seconds: 5));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var head = await api.GetBranchHeadAsync("main", CancellationToken.None);

        Assert.NotNull(head);
        Assert.Equal(2, handler.Sent);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_write_that_hangs_is_read_back_after_github_gives_up_and_not_sent_twice()
    {
        using var handler = new RetryingHandler(new HttpClientHandler(), new RetryPolicy(4, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), AttemptTimeout: TimeSpan.FromMilliseconds(500), WriteInterval: TimeSpan.Zero, ServerGivesUpAfter: TimeSpan.FromSeconds(2.5)), TimeProvider.System);
        var api = OctokitForge.Create(_github.BaseAddress.ToString(), _github.Options.Token, _github.Repository, handler);
        _github.AddFault(new Fault("slow", Count: 1, Method: "POST", Seconds: 2));

        var issue = await api.CreateIssueAsync("t", "b", ["policy-alert"], [], CancellationToken.None);

        Assert.Equal(issue.Number, Assert.Single(_github.Issues()).Number);
        Assert.Single(_github.Exchanges, e => e.Method == "POST");
    }

    [Theory]
    [InlineData("applied-502")]
    [InlineData("applied-504")]
    [InlineData("applied-drop")]
    public async Task An_issue_whose_answer_was_lost_is_found_not_opened_twice(string fault)
    {
        _github.AddFault(new Fault(fault, Count: 1, Method: "POST", PathPattern: "/issues$"));

        var issue = await _api.CreateIssueAsync("t", "body with a marker <!-- x -->", ["policy-alert"], [], CancellationToken.None);

        Assert.Equal(issue.Number, Assert.Single(_github.Issues()).Number);
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task An_issue_that_did_not_land_is_sent_again()
    {
        _github.AddFault(new Fault("502", Count: 1, Method: "POST", PathPattern: "/issues$"));

        var issue = await _api.CreateIssueAsync("t", "b", ["policy-alert"], [], CancellationToken.None);

        Assert.Equal(issue.Number, Assert.Single(_github.Issues()).Number);
        Assert.Equal(2, _github.Exchanges.Count(e => e.Method == "POST"));
    }

    [Theory]
    [InlineData("applied-502")]
    [InlineData("applied-drop")]
    public async Task A_comment_whose_answer_was_lost_is_found_by_its_marker(string fault)
    {
        var issue = await _api.CreateIssueAsync("t", "b", ["policy-alert"], [], CancellationToken.None);
        _github.AddFault(new Fault(fault, Count: 1, Method: "POST", PathPattern: "/comments$"));

        Assert.True(await _api.AddCommentAsync(issue.Number, "still firing", CancellationToken.None));

        Assert.StartsWith("still firing", Assert.Single(_github.Issues().Single().Comments), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("applied-502")]
    [InlineData("applied-drop")]
    public async Task A_compare_and_swap_write_whose_answer_was_lost_is_known_by_the_branch(string fault)
    {
        var before = await _api.GetFileOnBranchAsync("main", "state/policy_response_log.jsonl", CancellationToken.None);
        _github.AddFault(new Fault(fault, Count: 1, Method: "PUT"));

        var tip = await _api.TryPutFileAsync("main", "state/policy_response_log.jsonl", before.BlobSha, "{\"a\":1}\n{\"b\":2}\n"u8.ToArray(), "append", CancellationToken.None);

        Assert.NotNull(tip);
        Assert.Equal(_github.BranchHead("main"), tip.CommitSha);
        Assert.Single(_github.Exchanges, e => e.Method == "PUT");
    }

    [Theory]
    [InlineData("applied-502")]
    [InlineData("applied-drop")]
    public async Task A_ref_update_or_creation_whose_answer_was_lost_is_known_by_the_ref(string fault)
    {
        var head = (await _api.GetBranchHeadAsync("main", CancellationToken.None))!;
        var commit = await _api.CreateCommitAsync(head, [new FileChange("a.txt", "a\n"u8.ToArray())], "a", CancellationToken.None);
        _github.AddFault(new Fault(fault, Count: 1, Method: "PATCH"));
        _github.AddFault(new Fault(fault, Count: 1, Method: "POST", PathPattern: "/git/refs$"));

        Assert.True(await _api.TryFastForwardAsync("main", commit.CommitSha, CancellationToken.None));
        Assert.True(await _api.CreateBranchAsync("fix/a", commit.CommitSha, CancellationToken.None));

        Assert.Equal(commit.CommitSha, _github.BranchHead("main"));
        Assert.Equal(commit.CommitSha, _github.BranchHead("fix/a"));
        Assert.Single(_github.Exchanges, e => e.Method == "PATCH");
        _github.AssertContractHonoured();
    }

    [Fact]
    public async Task A_missing_permission_is_reported_with_what_to_fix()
    {
        _github.AddFault(new Fault("403", Count: 1, Method: "POST"));

        var error = await Assert.ThrowsAsync<ForgeException>(() => _api.CreateIssueAsync("t", "b", ["policy-alert"], [], CancellationToken.None));

        Assert.Contains("issues: write", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_is_401_with_a_clear_message()
    {
        using var handler = new RetryingHandler(new HttpClientHandler(), RetryPolicy.Default, TimeProvider.System);
        var api = OctokitForge.Create(_github.BaseAddress.ToString(), "wrong", _github.Repository, handler);

        var error = await Assert.ThrowsAsync<ForgeException>(() => api.GetBranchHeadAsync("main", CancellationToken.None));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_double_flags_an_exchange_that_breaks_githubs_description()
    {
        using var client = new HttpClient { BaseAddress = _github.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("token", _github.Options.Token);

        using var missingSha = await client.PostAsync(new Uri("repos/octo-org/octo-repo/git/refs", UriKind.Relative), new StringContent("{\"ref\":\"refs/heads/x\"}"));
        using var undocumented = await client.GetAsync(new Uri("repos/octo-org/octo-repo/hooks", UriKind.Relative));

        Assert.Contains(_github.Violations, v => v.Contains("git/refs request: $.sha: required property missing", StringComparison.Ordinal));
        Assert.Contains(_github.Violations, v => v.Contains("/hooks: not an operation", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => _github.AssertContractHonoured());
    }
}
