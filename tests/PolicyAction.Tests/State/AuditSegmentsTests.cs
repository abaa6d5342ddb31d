using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

/// <summary>The audit log in segments: where records go, what readers read, and verify-log across them.</summary>
public sealed class AuditSegmentsTests : IDisposable
{
    // Small segments, so a few records fill one; the layout rule is the same at 64 KiB.
    private const long SealAt = 1024;

    private readonly TempWorkspace _workspace = new();
    private readonly AuditLog _log;

    public AuditSegmentsTests()
    {
        _log = new AuditLog(_workspace.PathOf("state/policy_response_log.jsonl"), SealAt);
    }

    public void Dispose() => _workspace.Dispose();

    private static AuditRecord Record(int hour, string reason = "routine") =>
        new() { Timestamp = CliHarness.Now.AddHours(hour), Event = hour % 2 == 0 ? AuditEvents.BrakeEngaged : AuditEvents.BrakeReleased, Actor = "octocat", Reason = reason };

    /// <summary>Appends hourly records until the log has <paramref name="segments"/> segments; returns how many.</summary>
    private int FillTo(int segments, int fromHour = 0)
    {
        var hour = fromHour;
        while (_log.Segments().Count < segments || new FileInfo(_log.Segments()[^1].Path).Length < SealAt / 2)
        {
            _log.Append(Record(hour++));
        }

        return hour - fromHour;
    }

    private string Relative(string path) => Path.GetRelativePath(_workspace.Root, path).Replace('\\', '/');

    private string Segment(int number) => _workspace.PathOf(AuditSegments.RepositoryPath(number));

    public sealed class Layout
    {
        [Theory]
        [InlineData(1, "state/policy_response_log.jsonl")]
        [InlineData(2, "state/policy_response_log/000/000002.jsonl")]
        [InlineData(999, "state/policy_response_log/000/000999.jsonl")]
        [InlineData(1000, "state/policy_response_log/001/001000.jsonl")]
        [InlineData(123456, "state/policy_response_log/123/123456.jsonl")]
        public void Segments_are_numbered_from_the_original_file(int number, string path)
        {
            Assert.Equal(path, AuditSegments.RepositoryPath(number));
            Assert.True(AuditSegments.TryNumber(path, out var back));
            Assert.Equal(number, back);
        }

        [Theory]
        [InlineData("state/policy_response_log/000/000001.jsonl")]
        [InlineData("state/policy_response_log/000002.jsonl")]
        [InlineData("state/policy_response_log/001/000002.jsonl")]
        [InlineData("state/policy_response_log/000/001000.jsonl")]
        [InlineData("state/policy_response_log/00/000002.jsonl")]
        [InlineData("state/policy_response_log/000/2.jsonl")]
        [InlineData("state/policy_response_log/000/00000a.jsonl")]
        [InlineData("state/policy_response_log/000/000002.json")]
        [InlineData("state/other/000002.jsonl")]
        [InlineData("logs/policy_orchestration_alerts.jsonl")]
        public void Other_names_are_not_segments(string path) => Assert.False(AuditSegments.IsSegment(path));
    }

    [Fact]
    public void A_record_that_finds_the_segment_sealed_starts_the_next_linked_to_the_last_record()
    {
        _log.Append(Record(0));
        while (new FileInfo(_log.Path).Length < SealAt)
        {
            _log.Append(Record(1));
        }

        var sealedBytes = File.ReadAllBytes(_log.Path);
        var lastOfFirst = File.ReadAllLines(_log.Path)[^1];

        var head = _log.Append(Record(2, "the first of segment 2"));

        Assert.Equal(sealedBytes, File.ReadAllBytes(_log.Path));
        var next = File.ReadAllLines(Segment(2));
        var first = AuditLog.TryParse(Encoding.UTF8.GetBytes(next.Single()))!;
        Assert.Equal("the first of segment 2", first.Reason);
        Assert.Equal(AuditChain.Hash(Encoding.UTF8.GetBytes(lastOfFirst)), first.Prev);
        Assert.Equal(File.ReadAllLines(_log.Path).Length + 1, first.Seq);
        Assert.Equal(head, _log.Head());
        Assert.True(AuditLogVerifier.VerifyFile(_log.Path).Intact);
    }

    [Fact]
    public void An_existing_single_file_log_becomes_the_first_sealed_segment_without_its_bytes_changing()
    {
        // A log written by an earlier version: one file, far past the seal size.
        var earlier = new AuditLog(_log.Path, long.MaxValue);
        for (var i = 0; i < 40; i++)
        {
            earlier.Append(Record(i));
        }

        var before = File.ReadAllBytes(_log.Path);
        Assert.True(before.Length > SealAt);

        _log.Append(Record(41, "after the upgrade"));

        Assert.Equal(before, File.ReadAllBytes(_log.Path));
        Assert.Equal("after the upgrade", AuditLog.TryParse(File.ReadAllBytes(Segment(2)).AsSpan(0, File.ReadAllBytes(Segment(2)).Length - 1))!.Reason);
        var verification = AuditLogVerifier.VerifyFile(_log.Path);
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(41, verification.Records);
        Assert.Equal(2, verification.Segments);
    }

    [Fact]
    public void A_window_reads_back_only_the_segments_it_reaches()
    {
        FillTo(4);
        var newest = _log.Segments()[^1];
        var newestRecords = File.ReadAllLines(newest.Path).Select(l => AuditLog.TryParse(Encoding.UTF8.GetBytes(l))!).ToList();

        // Older segments made unreadable as records (all but the one before the newest, whose last record a window
        // ending in the newest checks): a reader that opened them would fail.
        foreach (var older in _log.Segments().SkipLast(2))
        {
            File.WriteAllText(older.Path, "not a record\n");
        }

        var window = _log.ReadSince(newestRecords[0].Timestamp + AuditLog.OrderingSlack + TimeSpan.FromHours(1));

        Assert.NotEmpty(window.Records);
        Assert.All(window.Records, r => Assert.Contains(r.Seq, newestRecords.Select(n => n.Seq)));
        Assert.Equal(newestRecords[^1].Seq, window.Records[^1].Seq);
        Assert.Throws<StateFileException>(() => _log.ReadSince(CliHarness.Now.AddYears(-1)));
    }

    [Fact]
    public void A_window_reaching_into_an_older_segment_gets_its_records_in_order()
    {
        var appended = FillTo(3);

        var all = _log.ReadSince(CliHarness.Now.AddDays(-1));

        Assert.Equal(appended, all.Records.Count);
        Assert.Equal(Enumerable.Range(1, appended).Select(i => (long?)i), all.Records.Select(r => r.Seq));
        Assert.Equal(all.Records.Select(r => r.Seq), _log.Read().Records.Select(r => r.Seq));
    }

    [Fact]
    public void A_window_read_again_after_an_append_sees_the_new_record_and_a_replaced_segment_is_read_anew()
    {
        FillTo(3);
        var since = CliHarness.Now.AddDays(-1);
        var before = _log.ReadSince(since).Records.Count;

        _log.Append(Record(500, "appended after the first read"));
        var after = _log.ReadSince(since);
        Assert.Equal(before + 1, after.Records.Count);
        Assert.Equal("appended after the first read", after.Records[^1].Reason);

        // A sealed segment replaced by another process (same window, new bytes) is not answered from memory.
        var first = File.ReadAllLines(Segment(1));
        first[0] = first[0].Replace("routine", "edited!", StringComparison.Ordinal);
        File.WriteAllText(Segment(1), string.Join('\n', first) + "\n");
        File.SetLastWriteTimeUtc(Segment(1), DateTime.UtcNow.AddMinutes(5));
        var edited = Assert.Throws<StateFileException>(() => _log.ReadSince(since));
        Assert.Contains("is not linked to the record before it (record 1)", edited.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_thousandth_segment_starts_the_next_group_folder_and_readers_and_verify_log_cross_it()
    {
        // Segments of one record each, so the chain reaches group 001 quickly.
        var log = new AuditLog(_log.Path, sealAt: 1);
        for (var hour = 0; hour < 1002; hour++)
        {
            log.Append(Record(hour));
        }

        Assert.True(File.Exists(_workspace.PathOf("state/policy_response_log/000/000999.jsonl")));
        Assert.True(File.Exists(_workspace.PathOf("state/policy_response_log/001/001000.jsonl")));
        Assert.Equal(1002, log.Newest().Number);
        Assert.Equal(Enumerable.Range(1, 1002), log.Segments().Select(s => s.Number));

        var window = log.ReadSince(CliHarness.Now.AddHours(1001) - AuditLog.OrderingSlack - TimeSpan.FromHours(5));
        Assert.Equal(Enumerable.Range(990, 13).Select(i => (long?)i), window.Records.Select(r => r.Seq).Where(s => s >= 990));
        Assert.Equal(1002, window.Records[^1].Seq);

        var verification = AuditLogVerifier.VerifyFile(log.Path);
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(1002, verification.Segments);

        // A group's last segment missing: a window reaching across fails closed, naming it.
        File.Delete(_workspace.PathOf("state/policy_response_log/000/000999.jsonl"));
        var read = Assert.Throws<StateFileException>(() => new AuditLog(log.Path, sealAt: 1).ReadSince(CliHarness.Now.AddHours(990) - AuditLog.OrderingSlack));
        Assert.Contains("segment 999 of the audit log is missing", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_outside_the_layout_are_not_segments_and_are_never_read()
    {
        FillTo(3);
        var expected = _log.Segments().Select(s => s.Number).ToList();

        // A flat file where groups are, a segment in the wrong group, a folder that is not a group.
        File.WriteAllText(_workspace.PathOf("state/policy_response_log/000009.jsonl"), "not a record\n");
        Directory.CreateDirectory(_workspace.PathOf("state/policy_response_log/001"));
        File.WriteAllText(_workspace.PathOf("state/policy_response_log/001/000004.jsonl"), "not a record\n");
        Directory.CreateDirectory(_workspace.PathOf("state/policy_response_log/archive"));
        File.WriteAllText(_workspace.PathOf("state/policy_response_log/archive/000004.jsonl"), "not a record\n");

        var fresh = new AuditLog(_log.Path, SealAt);
        Assert.Equal(expected, fresh.Segments().Select(s => s.Number));
        Assert.Equal(expected[^1], fresh.Newest().Number);
        Assert.NotEmpty(fresh.ReadSince(CliHarness.Now.AddDays(-1)).Records);
        Assert.True(AuditLogVerifier.VerifyFile(_log.Path).Intact);
    }

    [Fact]
    public void A_missing_segment_fails_a_reader_that_needs_it_and_verify_log_names_it()
    {
        FillTo(4);
        File.Delete(Segment(2));

        var read = Assert.Throws<StateFileException>(() => _log.ReadSince(CliHarness.Now.AddDays(-1)));
        Assert.Contains("segment 2 of the audit log is missing", read.Message, StringComparison.Ordinal);

        var verification = AuditLogVerifier.VerifyFile(_log.Path, name: p => Relative(p));
        Assert.False(verification.Intact);
        Assert.Contains("segment 2 (state/policy_response_log/000/000002.jsonl) is missing", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_log_names_the_segment_and_line_of_an_edited_record()
    {
        FillTo(3);
        var lines = File.ReadAllLines(Segment(2));
        lines[1] = lines[1].Replace("octocat", "mallory", StringComparison.Ordinal);
        File.WriteAllText(Segment(2), string.Join('\n', lines) + "\n");

        var verification = AuditLogVerifier.VerifyFile(_log.Path, name: p => Relative(p));

        Assert.False(verification.Intact);
        Assert.Equal("state/policy_response_log/000/000002.jsonl", verification.Segment);
        Assert.Equal(2, verification.BadLine);
        Assert.Contains("(state/policy_response_log/000/000002.jsonl line 2) no longer matches", verification.Problem, StringComparison.Ordinal);
        Assert.Contains("BROKEN at state/policy_response_log/000/000002.jsonl line 2", VerificationText.Render(verification, "state/policy_response_log.jsonl"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_taken_in_one_segment_still_verifies_after_later_segments_and_fails_when_its_segment_is_rewritten()
    {
        FillTo(2);
        var checkpoint = _log.Head();
        FillTo(4, fromHour: 100);

        var later = AuditLogVerifier.VerifyFile(_log.Path, checkpoint, name: p => Relative(p));
        Assert.True(later.Intact, later.Problem);
        Assert.Equal(4, later.Segments);
        Assert.Equal(AuditSegments.RepositoryPath(4), later.Segment);
        Assert.Contains($"(in {AuditSegments.RepositoryPath(4)})", VerificationText.Render(later, "log"), StringComparison.Ordinal);

        // Rewrite the checkpoint's segment, chain and all: it verifies alone but no longer reaches the checkpoint.
        var rewritten = new AuditLog(_workspace.PathOf("rewritten/state/policy_response_log.jsonl"), SealAt);
        foreach (var record in _log.Read().Records)
        {
            rewritten.Append(record with { Actor = record.Seq == checkpoint.Seq ? "mallory" : record.Actor, Seq = null, Prev = null });
        }

        Assert.True(AuditLogVerifier.VerifyFile(rewritten.Path).Intact);
        var against = AuditLogVerifier.VerifyFile(rewritten.Path, checkpoint);
        Assert.False(against.Intact);
        Assert.Contains("differs from the checkpoint", against.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torn_last_line_of_a_sealed_segment_is_noted_at_the_start_of_the_next()
    {
        FillTo(1);
        while (new FileInfo(_log.Path).Length < SealAt)
        {
            _log.Append(Record(3));
        }

        File.AppendAllText(_log.Path, "{\"timestamp\":\"20");

        _log.Append(Record(4, "after the crash"));

        var next = File.ReadAllLines(Segment(2));
        Assert.Equal(2, next.Length);
        Assert.Contains(AuditEvents.TornRecordNoted, next[0], StringComparison.Ordinal);
        var verification = AuditLogVerifier.VerifyFile(_log.Path);
        Assert.True(verification.Intact, verification.Problem);
        Assert.Single(verification.Warnings);
        Assert.Equal("after the crash", _log.ReadSince(CliHarness.Now.AddDays(-1)).Records[^1].Reason);
    }
}
