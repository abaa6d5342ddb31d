using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>The segmented audit log on the shared branch, with the action run as the runner runs it against the double.</summary>
public sealed class AuditSegmentsAgainstGitHubTests : AgainstTheDouble
{
    /// <summary>Blocked runs, 20 minutes apart and long ago, chained on after <paramref name="log"/> until it holds at least <paramref name="bytes"/>.</summary>
    private static byte[] History(byte[] log, long bytes, DateTimeOffset from)
    {
        var lines = new List<byte>(log);
        while (lines.Count < bytes)
        {
            var record = new AuditRecord { Timestamp = from = from.AddMinutes(20), Event = "response_blocked", Actor = "github-actions[bot]", Policy = "RED", Mode = "apply", BlockedBy = ["safety_brake"] };
            lines.AddRange(AuditChain.LineAfter(lines.ToArray(), record, "generated"));
        }

        return [.. lines];
    }

    private static int Count(IEnumerable<string> lines, string auditEvent) =>
        lines.Count(l => l.Contains($"\"event\":\"{auditEvent}\"", StringComparison.Ordinal));

    [Fact]
    public async Task Another_run_that_sealed_the_segment_after_the_checkout_sends_the_records_to_the_next_segment()
    {
        // The checkout's log is just short of sealed; then another run fills it and starts segment 2 on the branch.
        var start = DateTimeOffset.UtcNow.AddDays(-60);
        var almost = History(GitHubDouble.ReadFile("main", AuditSegments.FirstPath) ?? [], AuditSegments.SealAt - 600, start);
        GitHubDouble.CommitFiles("main", new Dictionary<string, byte[]> { [AuditSegments.FirstPath] = almost }, "history");
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);

        var sealedByOther = History(almost, AuditSegments.SealAt, start.AddDays(10));
        var otherRecord = AuditChain.LineAfter(sealedByOther, new AuditRecord { Timestamp = DateTimeOffset.UtcNow.AddDays(-2), Event = "response_blocked", Actor = "other-run", Policy = "RED", Mode = "apply", BlockedBy = ["safety_brake"] }, "generated");
        GitHubDouble.CommitFiles(
            "main",
            new Dictionary<string, byte[]> { [AuditSegments.FirstPath] = sealedByOther, [AuditSegments.RepositoryPath(2)] = otherRecord },
            "another run");
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("apply", "false"), (runner.Outputs()["mode"], runner.Outputs()["blocked"]));
        Assert.Equal(sealedByOther, GitHubDouble.ReadFile("main", AuditSegments.FirstPath));
        var second = Encoding.UTF8.GetString(GitHubDouble.ReadFile("main", AuditSegments.RepositoryPath(2))!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("other-run", second[0], StringComparison.Ordinal);
        Assert.Equal(1, Count(second, AuditEvents.ResponseStarted));
        Assert.Equal(1, Count(second, AuditEvents.ResponseFinished));
        var verification = GitHubDouble.VerifyAuditLog("main");
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(AuditSegments.RepositoryPath(2), verification.Segment);
        Assert.Contains($"({AuditSegments.RepositoryPath(2)})", GitHubDouble.History("main")[0].Message, StringComparison.Ordinal);

        // The sealed segment was never written again: every write went to segment 2.
        Assert.DoesNotContain(GitHubDouble.Exchanges, e => e.Method == "PUT" && e.Path.EndsWith("policy_response_log.jsonl", StringComparison.Ordinal) && e.Status < 300);
    }

    [Fact]
    public async Task A_run_over_a_long_history_sends_only_the_open_segment()
    {
        // Years of history: segment 1 sealed, then many more, the newest half full.
        var from = DateTimeOffset.UtcNow.AddDays(-900);
        var files = new Dictionary<string, byte[]>();
        var log = History(GitHubDouble.ReadFile("main", AuditSegments.FirstPath) ?? [], AuditSegments.SealAt, from);
        files[AuditSegments.FirstPath] = log;
        var segments = 40;
        for (var number = 2; number <= segments; number++)
        {
            var segment = History([], number == segments ? AuditSegments.SealAt / 2 : AuditSegments.SealAt, from = from.AddDays(20));
            var relinked = string.Join('\n', AuditChain.Relink(Encoding.UTF8.GetString(segment).Split('\n', StringSplitOptions.RemoveEmptyEntries), AuditChain.HeadOf(log, "history"))) + "\n";
            files[AuditSegments.RepositoryPath(number)] = Encoding.UTF8.GetBytes(relinked);
            log = files[AuditSegments.RepositoryPath(number)];
        }

        GitHubDouble.CommitFiles("main", files, "years of history");
        Assert.True(GitHubDouble.VerifyAuditLog("main").Intact);
        using var workspace = DoubleWorkspace.Checkout(GitHubDouble);
        using var runner = DoubleWorkspace.Runner(GitHubDouble, workspace).WorkflowRun().Input("auto-apply", "true");
        var before = GitHubDouble.Exchanges.Count;

        var result = await runner.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var exchanges = GitHubDouble.Exchanges.Skip(before).ToArray();
        var sent = exchanges.Sum(e => (long)(e.RequestBody?.Length ?? 0));
        Assert.True(sent < 4 * AuditSegments.SealAt, $"{sent} bytes sent for one apply over {segments} segments");
        var open = AuditSegments.RepositoryPath(segments);
        Assert.All(exchanges.Where(e => e.Method == "PUT"), e => Assert.EndsWith(open[(open.LastIndexOf('/') + 1)..], e.Path, StringComparison.Ordinal));
        for (var number = 1; number < segments; number++)
        {
            Assert.Equal(files[AuditSegments.RepositoryPath(number)], GitHubDouble.ReadFile("main", AuditSegments.RepositoryPath(number)));
        }

        var verification = GitHubDouble.VerifyAuditLog("main");
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(segments, verification.Segments);
        Assert.Equal(1, Count(GitHubDouble.AuditLines("main"), AuditEvents.ResponseFinished));
    }
}
