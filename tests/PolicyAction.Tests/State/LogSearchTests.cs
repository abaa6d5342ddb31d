using System.Text;
using PolicyAction.Gates;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

/// <summary>Looking records up by a text they hold (the trigger's re-run check) without parsing every line.</summary>
public sealed class LogSearchTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private static AuditRecord Blocked(DateTimeOffset at) =>
        new() { Timestamp = at, Event = AuditEvents.ResponseBlocked, Actor = "github-actions[bot]", Policy = "RED", Mode = "apply", BlockedBy = ["safety_brake"], Reason = new string('x', 300) };

    private static AuditRecord Started(DateTimeOffset at, string trigger) =>
        new() { Timestamp = at, Event = AuditEvents.ResponseStarted, Actor = "github-actions[bot]", ResponseId = Guid.NewGuid(), Policy = "RED", Mode = "apply", Trigger = trigger };

    /// <summary>A one-file log (an earlier version's, several MB) of records a minute apart ending now, with the given ones placed at their minutes.</summary>
    private AuditLog Log(int minutes, Dictionary<int, AuditRecord> placed, DateTimeOffset now)
    {
        var path = _workspace.PathOf("state/policy_response_log.jsonl");
        var log = new AuditLog(path, long.MaxValue);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = new FileStream(path, FileMode.Create);
        var head = ChainHead.Genesis;
        for (var i = 0; i < minutes; i++)
        {
            var at = now.AddMinutes(i - minutes);
            var record = placed.TryGetValue(i, out var given) ? given with { Timestamp = at } : Blocked(at);
            var line = AuditLog.Line(AuditChain.Link(record, head));
            file.Write(line);
            head = new ChainHead(head.Seq + 1, AuditChain.Hash(line.AsSpan(0, line.Length - 1)));
        }

        return log;
    }

    [Fact]
    public void Finds_every_record_holding_the_text_in_the_window_across_block_boundaries_and_only_those_that_match()
    {
        var now = CliHarness.Now;
        var placed = new Dictionary<int, AuditRecord>();
        for (var i = 100; i < 20_000; i += 997)
        {
            placed[i] = Started(now, "workflow_run:42:1");
        }

        placed[19_990] = Started(now, "workflow_run:42:10");
        var log = Log(20_000, placed, now);
        Assert.True(new FileInfo(log.Path).Length > 5 * 1024 * 1024);

        var found = log.FindHolding("\"trigger\":\"workflow_run:42:1\"", now.AddDays(-30), r => r.Event == AuditEvents.ResponseStarted);

        var expected = placed.Where(p => p.Value.Trigger == "workflow_run:42:1").Select(p => now.AddMinutes(p.Key - 20_000)).OrderDescending();
        Assert.Equal(expected, found.Select(r => r.Timestamp));
    }

    [Fact]
    public void Stops_at_the_window_and_ignores_older_mentions()
    {
        var now = CliHarness.Now;
        var log = Log(20_000, new Dictionary<int, AuditRecord> { [10] = Started(now, "workflow_run:7:1"), [19_000] = Started(now, "workflow_run:7:1") }, now);

        var found = log.FindHolding("\"trigger\":\"workflow_run:7:1\"", now.AddHours(-24), _ => true);

        Assert.Equal([now.AddMinutes(-1000)], found.Select(r => r.Timestamp));
    }

    [Fact]
    public void The_trigger_check_of_a_workflow_run_reads_back_only_to_when_the_triggering_run_started()
    {
        var now = CliHarness.Now;
        var key = "workflow_run:289782451:1";
        var log = Log(3000, new Dictionary<int, AuditRecord> { [2990] = Started(now, key), [100] = Started(now, key) }, now);
        var started = now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        _workspace.Write("event.json", "{\"workflow_run\":{\"id\":289782451,\"run_attempt\":1,\"conclusion\":\"success\",\"run_started_at\":\"" + started + "\"}}");
        var context = ActionContext.FromEnvironment(new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_EVENT_NAME"] = "workflow_run",
            ["GITHUB_EVENT_PATH"] = _workspace.PathOf("event.json"),
        });

        var found = TriggerGate.RecordsOf(context, log, now);

        // The record 10 minutes ago is found; the one 48 hours ago cannot answer this trigger (it is older than the
        // triggering run and the six hours of slack) and is not read.
        Assert.Equal([now.AddMinutes(-10)], found.Select(r => r.Timestamp));
        Assert.Equal(2, TriggerGate.RecordsOf(context with { WorkflowRun = context.WorkflowRun! with { StartedAt = null } }, log, now).Count);
    }
}
