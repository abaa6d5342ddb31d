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
        _handler = new RetryingHandler(new HttpClientHandler(), new RetryPolicy(4, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2)), TimeProvider.System);
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
        Assert.Equal(["still firing"], _github.Issues().Single(i => i.Number == created.Number).Comments);
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
        using var handler = new RetryingHandler(new HttpClientHandler(), new RetryPolicy(4, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), AttemptTimeout: TimeSpan.FromMilliseconds(500)), TimeProvider.System);
        var api = OctokitForge.Create(_github.BaseAddress.ToString(), _github.Options.Token, _github.Repository, handler);
        _github.AddFault(new Fault("slow", Count: 1, Method: "GET", Seconds: 5));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var head = await api.GetBranchHeadAsync("main", CancellationToken.None);

        Assert.NotNull(head);
        Assert.Equal(2, handler.Sent);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_write_that_hangs_is_not_sent_twice_and_says_why()
    {
        using var handler = new RetryingHandler(new HttpClientHandler(), new RetryPolicy(4, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), AttemptTimeout: TimeSpan.FromMilliseconds(500)), TimeProvider.System);
        var api = OctokitForge.Create(_github.BaseAddress.ToString(), _github.Options.Token, _github.Repository, handler);
        _github.AddFault(new Fault("slow", Count: 1, Method: "POST", Seconds: 2));

        var error = await Assert.ThrowsAsync<ForgeException>(() => api.CreateIssueAsync("t", "b", ["policy-alert"], [], CancellationToken.None));

        Assert.Contains("did not answer POST", error.Message, StringComparison.Ordinal);
        Assert.Contains("it was not sent again", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Sent);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Single(_github.Issues());
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
