using PolicyAction.SharedBranch;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.GitHub;

public sealed class AuditLogMergeTests
{
    [Fact]
    public async Task A_torn_line_and_the_note_after_it_stay_in_one_segment_so_readers_accept_the_merged_log()
    {
        using var local = new TempWorkspace();
        var log = new AuditLog(local.PathOf(AuditSegments.FirstPath));
        log.Append(new AuditRecord { Timestamp = CliHarness.Now, Event = AuditEvents.BrakeEngaged, Actor = "octocat" });
        File.AppendAllText(log.Path, "{\"timest");
        log.Append(new AuditRecord { Timestamp = CliHarness.Now.AddMinutes(1), Event = AuditEvents.BrakeReleased, Actor = "octocat" });

        // Every line would start a segment of its own.
        var merged = await AuditLogMerge.MergeAsync(
            new Dictionary<string, byte[]> { [AuditSegments.FirstPath] = File.ReadAllBytes(log.Path) },
            new Dictionary<string, byte[]>(),
            _ => Task.FromResult<byte[]?>(null),
            sealAt: 1);

        using var branch = new TempWorkspace();
        foreach (var segment in merged)
        {
            branch.WriteBytes(segment.Path, segment.Content);
        }

        var read = new AuditLog(branch.PathOf(AuditSegments.FirstPath), sealAt: 1).ReadSince(CliHarness.Now.AddHours(-1));
        Assert.Equal([AuditEvents.BrakeEngaged, AuditEvents.TornRecordNoted, AuditEvents.BrakeReleased], read.Records.Select(r => r.Event));
        Assert.NotNull(read.Warning);
        Assert.Single(merged, s => System.Text.Encoding.UTF8.GetString(s.Content).StartsWith("{\"timest\n", StringComparison.Ordinal));
    }
}
