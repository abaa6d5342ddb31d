using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

/// <summary>verify-log against logs tampered with in each way an attacker (or an accident) can.</summary>
public sealed class AuditLogVerifierTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();
    private readonly AuditLog _log;

    public AuditLogVerifierTests()
    {
        _log = new AuditLog(_workspace.PathOf("state/policy_response_log.jsonl"));
        for (var i = 0; i < 6; i++)
        {
            _log.Append(new AuditRecord { Timestamp = CliHarness.Now.AddMinutes(i), Event = i % 2 == 0 ? AuditEvents.BrakeEngaged : AuditEvents.BrakeReleased, Actor = "octocat", Reason = $"reason {i}" });
        }
    }

    public void Dispose() => _workspace.Dispose();

    private List<string> Lines() => [.. File.ReadAllLines(_log.Path)];

    private void Write(IEnumerable<string> lines) => File.WriteAllText(_log.Path, string.Join('\n', lines) + "\n");

    private LogVerification Verify(ChainHead? checkpoint = null) => AuditLogVerifier.VerifyFile(_log.Path, checkpoint);

    [Fact]
    public void A_back_dated_record_is_reported_and_a_checkpoint_before_it_no_longer_verifies()
    {
        var checkpoint = _log.Head();
        ForgedRecords.AppendChained(_log, new AuditRecord { Timestamp = CliHarness.Now.AddHours(-30), Event = AuditEvents.BrakeReleased, Actor = "octocat" });

        var verification = Verify(checkpoint);

        Assert.False(verification.Intact);
        Assert.Equal(7, verification.BadLine);
        Assert.Contains("line 7 (record 7) is dated 2026-11-22T23:00:00Z, 30.1 h before record 6", verification.Problem, StringComparison.Ordinal);
        Assert.Contains("back-dated", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untouched_log_verifies_up_to_its_head()
    {
        var verification = Verify(_log.Head());

        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(6, verification.Records);
        Assert.Equal(_log.Head(), verification.Head);
    }

    [Fact]
    public void A_record_with_a_claimed_actor_links_after_records_written_without_the_field_and_keeps_it_when_relinked()
    {
        var before = Lines();
        _log.Append(new AuditRecord { Timestamp = CliHarness.Now.AddMinutes(6), Event = AuditEvents.TrustForceUnlocked, Actor = "root", ClaimedActor = "alice", LockId = "L-1", Reason = "override" });

        var verification = Verify(_log.Head());

        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(before, Lines()[..6]);
        Assert.All(before, line => Assert.DoesNotContain("claimed_actor", line, StringComparison.Ordinal));
        Assert.Contains("\"actor\":\"root\",\"claimed_actor\":\"alice\"", Lines()[6], StringComparison.Ordinal);
        Assert.Contains("\"claimed_actor\":\"alice\"", AuditChain.Relink(Lines(), ChainHead.Genesis).Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_record_is_named_as_the_first_bad_record()
    {
        var lines = Lines();
        lines[2] = lines[2].Replace("reason 2", "reason X", StringComparison.Ordinal);
        Write(lines);

        var verification = Verify();

        Assert.False(verification.Intact);
        Assert.Equal(3, verification.BadLine);
        Assert.Contains("record 3 (line 3) no longer matches", verification.Problem, StringComparison.Ordinal);
        Assert.Equal(2, verification.Records);
    }

    [Fact]
    public void An_inserted_record_with_a_forged_link_is_found()
    {
        var lines = Lines();
        var forged = AuditLog.Line(AuditChain.Link(new AuditRecord { Timestamp = CliHarness.Now, Event = AuditEvents.BrakeReleased, Actor = "mallory" }, new ChainHead(2, AuditChain.Hash(Encoding.UTF8.GetBytes(lines[1])))));
        lines.Insert(2, Encoding.UTF8.GetString(forged).TrimEnd('\n'));
        Write(lines);

        var verification = Verify();

        Assert.False(verification.Intact);
        Assert.Equal(4, verification.BadLine);
        Assert.Contains("repeats record number 3 (first at line 3): a record was inserted", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inserted_record_without_chain_fields_is_found()
    {
        var lines = Lines();
        lines.Insert(4, "{\"timestamp\":\"2026-11-24T05:00:00+00:00\",\"event\":\"trust_unlocked\",\"actor\":\"mallory\"}");
        Write(lines);

        var verification = Verify();

        Assert.Equal(5, verification.BadLine);
        Assert.Contains("has no seq/prev", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Reordered_records_are_found()
    {
        var lines = Lines();
        (lines[3], lines[4]) = (lines[4], lines[3]);
        Write(lines);

        var verification = Verify();

        Assert.Equal(4, verification.BadLine);
        Assert.Contains("line 4 holds record 5 where record 4 belongs; record 4 is at line 5: records were reordered", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_record_is_found()
    {
        var lines = Lines();
        lines.RemoveAt(3);
        Write(lines);

        var verification = Verify();

        Assert.Equal(4, verification.BadLine);
        Assert.Contains("record 4 is missing before line 4 (which holds record 5): a record was deleted", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_first_record_is_found()
    {
        var lines = Lines();
        lines.RemoveAt(0);
        Write(lines);

        Assert.Contains("record 1 is missing", Verify().Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncation_shows_only_against_an_earlier_checkpoint()
    {
        var checkpoint = _log.Head();
        Write(Lines().Take(4));

        Assert.True(Verify().Intact, "a truncated chain is still a chain");
        var verification = Verify(checkpoint);

        Assert.False(verification.Intact);
        Assert.Contains("ends at record 4 but the checkpoint", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rewritten_tail_with_a_valid_chain_shows_against_the_checkpoint()
    {
        var checkpoint = _log.Head();
        var lines = Lines().Take(5).ToList();
        Write(lines);
        _log.Append(new AuditRecord { Timestamp = CliHarness.Now, Event = AuditEvents.TrustUnlocked, Actor = "mallory" });

        Assert.True(Verify().Intact);
        var verification = Verify(checkpoint);

        Assert.Equal(6, verification.BadLine);
        Assert.Contains("differs from the checkpoint", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torn_last_line_and_a_noted_torn_line_are_warnings_not_breaks()
    {
        File.AppendAllText(_log.Path, "{\"timestamp\":\"20");
        _log.Append(new AuditRecord { Timestamp = CliHarness.Now, Event = AuditEvents.BrakeEngaged });
        File.AppendAllText(_log.Path, "{\"times");

        var verification = Verify();

        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(8, verification.Records);
        Assert.Equal(2, verification.Warnings.Count);
    }

    [Fact]
    public void A_missing_log_is_intact_but_not_against_a_checkpoint()
    {
        var checkpoint = _log.Head();
        File.Delete(_log.Path);

        Assert.True(Verify().Intact);
        Assert.Contains("it was deleted", Verify(checkpoint).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3:" + "0000000000000000000000000000000000000000000000000000000000000000", true)]
    [InlineData("3:" + "ABCDEF0000000000000000000000000000000000000000000000000000000000", false)]
    [InlineData("0:" + "0000000000000000000000000000000000000000000000000000000000000000", false)]
    [InlineData("-1:" + "0000000000000000000000000000000000000000000000000000000000000000", false)]
    [InlineData("3:abc", false)]
    [InlineData("abc", false)]
    [InlineData(":", false)]
    public void Checkpoints_parse_only_in_their_printed_form(string text, bool valid)
    {
        Assert.Equal(valid, ChainHead.TryParse(text, out var head));
        if (valid)
        {
            Assert.Equal(text, head.ToString());
        }
    }
}
