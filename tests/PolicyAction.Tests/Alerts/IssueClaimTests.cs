using System.Text;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.GitHub;
using PolicyAction.GitHubEmulator;

namespace PolicyAction.Tests.Alerts;

/// <summary>The claim that makes concurrent checks open one issue, against the API double.</summary>
public sealed class IssueClaimTests : IAsyncLifetime
{
    private const string History = "logs/policy_orchestration_alerts.jsonl";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private PolicyAction.GitHubEmulator.GitHubEmulator _github = null!;
    private RetryingHandler _handler = null!;
    private OctokitRepositoryApi _api = null!;

    public async Task InitializeAsync()
    {
        _github = await PolicyAction.GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions
        {
            Files = new Dictionary<string, byte[]> { [History] = "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"alert\":\"x\",\"event\":\"fired\",\"severity\":\"high\"}"u8.ToArray() },
        });
        _handler = new RetryingHandler(new HttpClientHandler(), RetryPolicy.Default, TimeProvider.System);
        _api = OctokitRepositoryApi.Create(_github.BaseAddress.ToString(), _github.Options.Token, _github.Repository, _handler);
    }

    public async Task DisposeAsync()
    {
        _handler.Dispose();
        _github.AssertContractHonoured();
        await _github.DisposeAsync();
    }

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

    private IssueClaim Claim(string claimant) => new(_api, "main", _clock, claimant);

    private string[] Lines() => Encoding.UTF8.GetString(_github.ReadFile("main", History)!).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task The_first_claim_wins_and_lands_on_the_branch_after_the_existing_lines()
    {
        var outcome = await Claim("run 1").ClaimAsync(Alert(), CancellationToken.None);

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
        await Claim("run 1").ClaimAsync(Alert(), CancellationToken.None);
        var head = _github.BranchHead("main");
        _clock.Advance(TimeSpan.FromMinutes(14));

        var second = await Claim("run 2").ClaimAsync(Alert(), CancellationToken.None);

        Assert.False(second.Won);
        Assert.Equal("run 1", second.HeldBy);
        Assert.Equal(head, _github.BranchHead("main"));
    }

    [Theory]
    [InlineData("run 1", "abc123", 0)]
    [InlineData("run 2", "other", 0)]
    [InlineData("run 2", "abc123", 15)]
    public async Task The_same_run_another_alert_or_a_stale_claim_does_not_block(string claimant, string fingerprint, int minutesLater)
    {
        await Claim("run 1").ClaimAsync(Alert(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(minutesLater));

        var outcome = await Claim(claimant).ClaimAsync(Alert(fingerprint), CancellationToken.None);

        Assert.True(outcome.Won);
        Assert.Equal(3, Lines().Length);
    }

    [Fact]
    public async Task A_commit_by_someone_else_in_between_is_kept_and_the_claim_retried()
    {
        var api = new MovingBranch(_api, () => _github.CommitFiles("main", new Dictionary<string, byte[]> { ["README.md"] = "someone else\n"u8.ToArray() }, "meanwhile"));

        var outcome = await new IssueClaim(api, "main", _clock, "run 1").ClaimAsync(Alert(), CancellationToken.None);

        Assert.True(outcome.Won);
        Assert.Equal("someone else\n", Encoding.UTF8.GetString(_github.ReadFile("main", "README.md")!));
        Assert.Equal(2, Lines().Length);
    }

    /// <summary>Lets another commit land on the branch once, just before the first fast-forward.</summary>
    private sealed class MovingBranch(IRepositoryApi inner, Action meanwhile) : IRepositoryApi
    {
        private bool _moved;

        public string Repository => inner.Repository;

        public Task<string> GetDefaultBranchAsync(CancellationToken cancellationToken) => inner.GetDefaultBranchAsync(cancellationToken);

        public Task<string?> GetBranchHeadAsync(string branch, CancellationToken cancellationToken) => inner.GetBranchHeadAsync(branch, cancellationToken);

        public Task<byte[]?> GetFileAsync(string commitSha, string path, CancellationToken cancellationToken) => inner.GetFileAsync(commitSha, path, cancellationToken);

        public Task<string> CreateCommitAsync(string parentSha, IReadOnlyList<FileChange> changes, string message, CancellationToken cancellationToken) =>
            inner.CreateCommitAsync(parentSha, changes, message, cancellationToken);

        public Task<bool> TryFastForwardAsync(string branch, string commitSha, CancellationToken cancellationToken)
        {
            if (!_moved)
            {
                _moved = true;
                meanwhile();
            }

            return inner.TryFastForwardAsync(branch, commitSha, cancellationToken);
        }
    }
}
