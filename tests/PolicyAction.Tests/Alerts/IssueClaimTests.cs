using System.Text;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.Forge;
using PolicyAction.GitHub;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Alerts;

/// <summary>The claim that makes concurrent checks open one issue, against the API double.</summary>
public sealed class IssueClaimTests : IAsyncLifetime
{
    private const string History = "logs/policy_orchestration_alerts.jsonl";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ClientAgainstTheDouble _double = null!;

    private PolicyAction.GitHubEmulator.GitHubEmulator Server => _double.GitHub;

    private OctokitForge Api => _double.Api;

    public async Task InitializeAsync() =>
        _double = await ClientAgainstTheDouble.StartAsync(new Dictionary<string, byte[]> { [History] = "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"alert\":\"x\",\"event\":\"fired\",\"severity\":\"high\"}"u8.ToArray() });

    public async Task DisposeAsync() => await _double.DisposeAsync();

    private static AlertStatus Alert(string fingerprint = "abc123") => new()
    {
        Id = AlertIds.BrakeEngaged,
        Severity = "critical",
        Evaluated = true,
        Firing = true,
        Observed = "engaged for 5 h",
        Threshold = "> 4 h",
        Fingerprint = fingerprint,
    };

    private IssueClaim Claim(string claimant) => new(Api, "main", _clock, claimant);

    private string[] Lines() => Encoding.UTF8.GetString(Server.ReadFile("main", History)!).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task The_first_claim_wins_and_lands_on_the_branch_after_the_existing_lines()
    {
        var outcome = await Claim("run 1").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);

        Assert.True(outcome.Won);
        var lines = Lines();
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("{\"timestamp\":\"2026-01-01", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"event\":\"issue_claimed\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"fingerprint\":\"abc123\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"claimant\":\"run 1\"", lines[1], StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(IssueClaim.Line(outcome.Record!)).TrimEnd('\n'), lines[1]);
    }

    [Fact]
    public async Task A_fresh_claim_by_another_run_is_respected_and_nothing_is_committed()
    {
        await Claim("run 1").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);
        var head = Server.BranchHead("main");
        _clock.Advance(TimeSpan.FromMinutes(14));

        var second = await Claim("run 2").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);

        Assert.False(second.Won);
        Assert.Equal("run 1", second.HeldBy);
        Assert.Equal(head, Server.BranchHead("main"));
    }

    [Theory]
    [InlineData(60 * 24 * 365, false)]
    [InlineData(60, false)]
    [InlineData(4, true)]
    public async Task A_claim_dated_ahead_holds_only_within_the_clock_skew_allowance(int minutesAhead, bool holds)
    {
        // Another runner's clock ahead of ours, or a line dated next year: beyond the allowance it holds nothing
        // off, or it would suppress the alert's issue until then.
        var ahead = new FakeTimeProvider(_clock.GetUtcNow().AddMinutes(minutesAhead));
        await new IssueClaim(Api, "main", ahead, "run 1").ClaimAsync(Alert(), ahead.GetUtcNow(), null, CancellationToken.None);

        var second = await Claim("run 2").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);

        Assert.Equal(!holds, second.Won);
    }

    [Theory]
    [InlineData("run 1", "abc123", 0)]
    [InlineData("run 2", "other", 0)]
    [InlineData("run 2", "abc123", 15)]
    public async Task The_same_run_another_alert_or_a_stale_claim_does_not_block(string claimant, string fingerprint, int minutesLater)
    {
        await Claim("run 1").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(minutesLater));

        var outcome = await Claim(claimant).ClaimAsync(Alert(fingerprint), _clock.GetUtcNow(), null, CancellationToken.None);

        Assert.True(outcome.Won);
        Assert.Equal(3, Lines().Length);
    }

    [Theory]
    [InlineData("run 42/1 aaa", "run 42/2 bbb", true)]
    [InlineData("run 42/1 aaa", "run 42/3 bbb", true)]
    [InlineData("run 42/2 aaa", "run 42/1 bbb", false)]
    [InlineData("run 42/1 aaa", "run 43/2 bbb", false)]
    [InlineData("aaa", "bbb", false)]
    [InlineData("run 42/1 aaa", "bbb", false)]
    public async Task A_claim_by_an_earlier_attempt_of_the_same_run_is_released(string first, string rerun, bool wins)
    {
        await Claim(first).ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var outcome = await Claim(rerun).ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);

        Assert.Equal(wins, outcome.Won);
    }

    [Theory]
    [InlineData("opened", -1, true)]
    [InlineData("adopted", -1, true)]
    [InlineData("opened", 4, true)]
    [InlineData("opened", 6, false)]
    [InlineData("opened", 24 * 60, false)]
    public async Task A_claim_followed_by_its_issue_no_longer_holds_and_one_settled_after_our_listing_is_looked_for_instead(string settledBy, int listedMinutesAfterSettling, bool issueMayExist)
    {
        await Claim("run 1").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);
        var settled = _clock.GetUtcNow();
        var line = $"{{\"timestamp\":\"{settled:O}\",\"alert\":\"brake_engaged\",\"event\":\"{settledBy}\",\"severity\":\"critical\",\"detail\":\"#7\",\"fingerprint\":\"abc123\"}}\n";
        Server.CommitFiles("main", new Dictionary<string, byte[]> { [History] = [.. Server.ReadFile("main", History)!, .. Encoding.UTF8.GetBytes(line)] }, "artifacts");
        _clock.Advance(TimeSpan.FromMinutes(1));

        var outcome = await Claim("run 2").ClaimAsync(Alert(), settled.AddMinutes(listedMinutesAfterSettling), null, CancellationToken.None);

        Assert.Equal(!issueMayExist, outcome.Won);
        Assert.Equal(issueMayExist, outcome.IssueMayExist);
    }

    [Fact]
    public async Task A_claim_that_looked_past_the_settlement_wins_but_a_newer_settlement_sends_it_back()
    {
        await Claim("run 1").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);
        var settled = _clock.GetUtcNow();
        Settle(settled);
        var listedAt = settled.AddSeconds(-1);

        var first = await Claim("run 2").ClaimAsync(Alert(), listedAt, null, CancellationToken.None);
        Assert.Equal((false, true, settled), (first.Won, first.IssueMayExist, first.SettledAt));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Settle(_clock.GetUtcNow());
        var newer = await Claim("run 2").ClaimAsync(Alert(), listedAt, first.SettledAt, CancellationToken.None);
        Assert.Equal((false, true), (newer.Won, newer.IssueMayExist));

        var again = await Claim("run 2").ClaimAsync(Alert(), listedAt, newer.SettledAt, CancellationToken.None);
        Assert.True(again.Won);
    }

    private void Settle(DateTimeOffset at)
    {
        var line = $"{{\"timestamp\":\"{at:O}\",\"alert\":\"brake_engaged\",\"event\":\"opened\",\"severity\":\"critical\",\"detail\":\"#7\",\"fingerprint\":\"abc123\"}}\n";
        Server.CommitFiles("main", new Dictionary<string, byte[]> { [History] = [.. Server.ReadFile("main", History)!, .. Encoding.UTF8.GetBytes(line)] }, "artifacts");
    }

    [Fact]
    public async Task A_claim_with_no_earlier_issue_does_not_ask_for_a_second_look()
    {
        var outcome = await Claim("run 1").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);

        Assert.False(outcome.IssueMayExist);
    }

    [Theory]
    [InlineData("run 9001/2 0123abcd", 9001L, 2)]
    [InlineData("run 7/1 x", 7L, 1)]
    [InlineData("0123abcd", null, null)]
    [InlineData("run x/1 y", null, null)]
    [InlineData("run 7/1", null, null)]
    [InlineData(null, null, null)]
    public void The_run_and_attempt_are_read_from_a_claimant(string? claimant, long? run, int? attempt)
    {
        var parsed = IssueClaim.RunAttemptOf(claimant);

        Assert.Equal(run, parsed?.RunId);
        Assert.Equal(attempt, parsed?.Attempt);
        Assert.Equal((9001L, 3), IssueClaim.RunAttemptOf(IssueClaim.ClaimantFor("9001", "3")));
        Assert.Null(IssueClaim.RunAttemptOf(IssueClaim.ClaimantFor(null, null)));
    }

    [Fact]
    public async Task A_commit_by_someone_else_in_between_is_kept_and_the_claim_retried()
    {
        var api = new MovingBranch(Api, () => Server.CommitFiles("main", new Dictionary<string, byte[]> { ["README.md"] = "someone else\n"u8.ToArray() }, "meanwhile"));

        var outcome = await new IssueClaim(api, "main", _clock, "run 1").ClaimAsync(Alert(), _clock.GetUtcNow(), null, CancellationToken.None);

        Assert.True(outcome.Won);
        Assert.Equal("someone else\n", Encoding.UTF8.GetString(Server.ReadFile("main", "README.md")!));
        Assert.Equal(2, Lines().Length);
    }

    /// <summary>Lets another commit land on the branch once, just before the first write.</summary>
    private sealed class MovingBranch(IForge forge, Action meanwhile) : ForwardingForge(forge)
    {
        private bool _moved;

        public override Task<BranchTip?> TryPutFileAsync(string branch, string path, string? expectedBlobSha, byte[] content, string message, CancellationToken cancellationToken)
        {
            MoveOnce();
            return base.TryPutFileAsync(branch, path, expectedBlobSha, content, message, cancellationToken);
        }

        public override Task<bool> TryFastForwardAsync(string branch, string commitSha, CancellationToken cancellationToken)
        {
            MoveOnce();
            return base.TryFastForwardAsync(branch, commitSha, cancellationToken);
        }

        private void MoveOnce()
        {
            if (!_moved)
            {
                _moved = true;
                meanwhile();
            }
        }
    }
}
