using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

public class AuditLogTests
{
    private static AuditRecord Record(string name, int minute = 0) =>
        new() { Timestamp = CliHarness.Now.AddMinutes(minute), Event = name, Actor = "octocat" };

    [Fact]
    public void Appends_one_line_per_record_and_reads_them_back_in_order()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));

        log.Append(Record(AuditEvents.BrakeEngaged, 1));
        log.Append(Record(AuditEvents.BrakeReleased, 2));

        var lines = workspace.AuditLines();
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("{\"timestamp\":\"2026-11-24T05:01:00+00:00\",\"event\":\"brake_engaged\"", lines[0], StringComparison.Ordinal);
        var contents = log.Read();
        Assert.Equal([AuditEvents.BrakeEngaged, AuditEvents.BrakeReleased], contents.Records.Select(r => r.Event));
        Assert.Null(contents.Warning);
    }

    [Fact]
    public void A_torn_last_line_is_reported_and_skipped_but_kept_on_disk()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        log.Append(Record(AuditEvents.BrakeEngaged));
        File.AppendAllText(log.Path, "{\"timestamp\":\"2026-11-24T05:0");
        var before = File.ReadAllBytes(log.Path);

        var contents = log.Read();

        Assert.Single(contents.Records);
        Assert.Contains("line 2", contents.Warning, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(log.Path));
    }

    [Fact]
    public void Appending_after_a_torn_line_starts_a_new_line()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        workspace.Write("state/policy_response_log.jsonl", "{\"timestamp\":\"2026-11");

        log.Append(Record(AuditEvents.BrakeReleased));

        var lines = File.ReadAllText(log.Path).Split('\n');
        Assert.Equal("{\"timestamp\":\"2026-11", lines[0]);
        Assert.Contains(AuditEvents.TornRecordNoted, lines[1], StringComparison.Ordinal);
        Assert.Contains("brake_released", lines[2], StringComparison.Ordinal);
        var contents = log.Read();
        Assert.Equal([AuditEvents.TornRecordNoted, AuditEvents.BrakeReleased], contents.Records.Select(r => r.Event));
        Assert.Contains("line 1", contents.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_line_in_the_middle_fails_closed_naming_the_line()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        log.Append(Record(AuditEvents.BrakeEngaged));
        log.Append(Record(AuditEvents.BrakeReleased));
        InsertLine(log.Path, 1, "not json");

        var error = Assert.Throws<StateFileException>(() => log.Read());

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(log.Path, error.FilePath);
    }

    [Fact]
    public void ReadSince_returns_the_recent_records_in_file_order_and_stops_reading_early()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        for (var hour = 0; hour < 100; hour++)
        {
            log.Append(Record(AuditEvents.BrakeEngaged, minute: hour * 60));
        }

        var since = CliHarness.Now.AddHours(90);
        var recent = log.ReadSince(since).Records;

        var expected = log.Read().Records.Where(r => r.Timestamp >= since - AuditLog.OrderingSlack).ToArray();
        Assert.Equal(expected.Select(r => r.Timestamp), recent.Skip(1).Select(r => r.Timestamp));
        Assert.True(recent[0].Timestamp < since - AuditLog.OrderingSlack, "reads one record past the window, then stops");
        Assert.True(recent.Count < 20);
    }

    [Fact]
    public void ReadSince_never_reads_damage_beyond_the_segment_before_the_window_ends()
    {
        using var workspace = new TempWorkspace();

        // One record per segment: the window ends in the third, whose predecessor's last record is checked too.
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"), sealAt: 1);
        log.Append(Record(AuditEvents.BrakeEngaged, minute: 0));
        log.Append(Record(AuditEvents.BrakeReleased, minute: 1));
        for (var day = 2; day < 5; day++)
        {
            log.Append(Record(AuditEvents.BrakeEngaged, minute: day * 24 * 60));
        }

        File.WriteAllText(log.Path, "damaged long ago\n");

        Assert.Equal(3, log.ReadSince(CliHarness.Now.AddDays(3)).Records.Count);
        Assert.Throws<StateFileException>(() => log.ReadSince(CliHarness.Now));
    }

    [Fact]
    public void Append_refuses_a_record_dated_more_than_the_ordering_allowance_before_the_newest()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        log.Append(Record(AuditEvents.BrakeEngaged, minute: 0));
        log.Append(Record(AuditEvents.BrakeReleased, minute: -5 * 60));
        var before = File.ReadAllBytes(log.Path);

        // An operator whose clock is 30 h behind.
        var refused = Assert.Throws<StateFileException>(() => log.Append(Record(AuditEvents.BrakeEngaged, minute: -30 * 60)));

        Assert.Contains("30 h before the log's latest record 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(log.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_back_dated_record_at_the_end_stops_a_window_read_instead_of_hiding_the_records_before_it(bool startsSegment)
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("state/policy_response_log.jsonl");
        var log = new AuditLog(path, sealAt: startsSegment ? 1 : AuditSegments.SealAt);
        log.Append(Record(AuditEvents.ResponseStarted, minute: -120));
        log.Append(Record(AuditEvents.ResponseStarted, minute: -60));
        var forged = Record(AuditEvents.BrakeReleased, minute: -30 * 60);
        if (startsSegment)
        {
            ForgedRecords.StartSegmentWith(log, forged);
        }
        else
        {
            ForgedRecords.AppendChained(log, forged);
        }

        var reader = new AuditLog(path, sealAt: startsSegment ? 1 : AuditSegments.SealAt);
        var refused = Assert.Throws<StateFileException>(() => reader.ReadSince(CliHarness.Now.AddHours(-24)));

        Assert.Contains("record 3 is dated 2026-11-22T23:00:00Z, 29 h before record 2", refused.Message, StringComparison.Ordinal);
        Assert.Contains("back-dated", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_goes_one_segment_past_its_window_so_a_back_dated_record_starting_a_segment_hides_nothing()
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("state/policy_response_log.jsonl");
        var log = new AuditLog(path, sealAt: 1);
        log.Append(Record(AuditEvents.ResponseStarted, minute: -60) with { Trigger = "workflow_run:42:1" });
        ForgedRecords.StartSegmentWith(log, Record(AuditEvents.BrakeReleased, minute: -40 * 24 * 60));

        var found = new AuditLog(path, sealAt: 1).FindHolding("\"trigger\":\"workflow_run:42:1\"", CliHarness.Now.AddDays(-31), _ => true);

        Assert.Equal("workflow_run:42:1", Assert.Single(found).Trigger);
    }

    [Fact]
    public void A_copy_of_the_log_read_with_its_chain_checked_refuses_a_back_dated_record()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        log.Append(Record(AuditEvents.ResponseStarted, minute: -60));
        var copy = File.ReadAllBytes(log.Path);
        Assert.Single(AuditLog.Parse(new MemoryStream(copy), "the branch's log", new ChainSpan("the branch's log")).Records);
        ForgedRecords.AppendChained(log, Record(AuditEvents.BrakeReleased, minute: -30 * 60));

        var refused = Assert.Throws<StateFileException>(() => AuditLog.Parse(new MemoryStream(File.ReadAllBytes(log.Path)), "the branch's log", new ChainSpan("the branch's log")));

        Assert.StartsWith("the branch's log: record 2 is dated", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_read_checks_that_each_record_links_to_the_one_before_it()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        log.Append(Record(AuditEvents.BrakeEngaged, minute: 0));
        log.Append(Record(AuditEvents.BrakeReleased, minute: 1));
        log.Append(Record(AuditEvents.BrakeEngaged, minute: 2));
        var lines = workspace.AuditLines();
        workspace.Write("state/policy_response_log.jsonl", string.Join('\n', lines[0], lines[2]) + "\n");

        var refused = Assert.Throws<StateFileException>(() => log.ReadSince(CliHarness.Now.AddHours(-1)));

        Assert.Contains("record 3 (2026-11-24T05:02:00Z) is not linked to the record before it (record 1)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSince_reports_a_torn_last_line_and_a_noted_torn_line()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        workspace.Write("state/policy_response_log.jsonl", "{\"timestamp\":\"2026");
        log.Append(Record(AuditEvents.BrakeEngaged, minute: 1));
        File.AppendAllText(log.Path, "{\"timest");

        var contents = log.ReadSince(CliHarness.Now.AddDays(-1));

        Assert.Equal([AuditEvents.TornRecordNoted, AuditEvents.BrakeEngaged], contents.Records.Select(r => r.Event));
        Assert.NotNull(contents.Warning);
    }

    [Fact]
    public void ReadSince_builds_only_the_records_a_reader_needs_and_still_stops_at_the_window()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        for (var hour = 0; hour < 100; hour++)
        {
            log.Append(Record(hour % 10 == 0 ? AuditEvents.BrakeEngaged : AuditEvents.LevelChanged, minute: hour * 60));
        }

        var since = CliHarness.Now.AddHours(50);
        var needed = log.ReadSince(since, kind => kind.Event == AuditEvents.BrakeEngaged).Records;

        var expected = log.ReadSince(since).Records.Where(r => r.Event == AuditEvents.BrakeEngaged).Select(r => r.Timestamp);
        Assert.Equal(expected, needed.Select(r => r.Timestamp));
        Assert.All(needed, r => Assert.Equal(AuditEvents.BrakeEngaged, r.Event));
        Assert.True(needed[0].Timestamp >= since - AuditLog.OrderingSlack - TimeSpan.FromHours(10), "stops at the window even when the records there are skipped");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"level_changed","seq":"x"}""")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":7}""")]
    public void ReadSince_fails_closed_on_a_damaged_line_whether_or_not_it_is_needed(string damage)
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        log.Append(Record(AuditEvents.BrakeEngaged, minute: 1));
        log.Append(Record(AuditEvents.BrakeReleased, minute: 2));
        InsertLine(log.Path, 1, damage);

        var error = Assert.Throws<StateFileException>(() => log.ReadSince(CliHarness.Now, kind => kind.Event == AuditEvents.BrakeReleased));

        Assert.Contains("line 2 from the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_refuses_to_link_onto_a_damaged_last_line()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));
        log.Append(Record(AuditEvents.BrakeEngaged));
        File.AppendAllText(log.Path, "not json\n");
        var before = File.ReadAllBytes(log.Path);

        var error = Assert.Throws<StateFileException>(() => log.Append(Record(AuditEvents.BrakeReleased)));

        Assert.Contains("last line is not a valid audit record", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(log.Path));
    }

    [Fact]
    public void Append_links_each_record_to_the_one_before_and_returns_the_head()
    {
        using var workspace = new TempWorkspace();
        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl"));

        log.Append(Record(AuditEvents.BrakeEngaged));
        var head = log.Append(Record(AuditEvents.BrakeReleased));

        var lines = File.ReadAllLines(log.Path);
        var records = log.Read().Records;
        Assert.Equal([1L, 2L], records.Select(r => r.Seq!.Value));
        Assert.Equal(ChainHead.Genesis.Hash, records[0].Prev);
        Assert.Equal(AuditChain.Hash(System.Text.Encoding.UTF8.GetBytes(lines[0])), records[1].Prev);
        Assert.Equal(new ChainHead(2, AuditChain.Hash(System.Text.Encoding.UTF8.GetBytes(lines[1]))), head);
        Assert.Equal(head, log.Head());
    }

    private static void InsertLine(string path, int index, string line)
    {
        var lines = File.ReadAllLines(path).ToList();
        lines.Insert(index, line);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
    }
}
