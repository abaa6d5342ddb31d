using System.Text;
using PolicyAction.State;

namespace PolicyAction.Tests.State;

/// <summary>
/// verify-log over logs long enough to span several 1 MB blocks, where lines are hashed on a second core:
/// the first problem is still named at its line, whichever block it falls in, and progress is reported.
/// </summary>
public sealed class AuditLogVerifierAtScaleTests
{
    private const int Records = 30_000;

    private static readonly Lazy<string[]> Log = new(() =>
    {
        var lines = new string[Records];
        var head = ChainHead.Genesis;
        for (var i = 0; i < Records; i++)
        {
            var record = new AuditRecord { Timestamp = DateTimeOffset.UnixEpoch.AddMinutes(i), Event = AuditEvents.LevelChanged, Actor = "octocat", Policy = "RED", Detail = new string('x', 300) };
            var line = AuditLog.Line(AuditChain.Link(record, head));
            lines[i] = Encoding.UTF8.GetString(line, 0, line.Length - 1);
            head = new ChainHead(head.Seq + 1, AuditChain.Hash(line.AsSpan(0, line.Length - 1)));
        }

        return lines;
    });

    private static LogVerification Verify(IEnumerable<string> lines, Action<long>? progress = null) =>
        AuditLogVerifier.Verify(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")), "log", null, progress);

    [Fact]
    public void An_intact_log_of_many_blocks_verifies_to_its_head_reporting_progress()
    {
        var reported = new List<long>();

        var verification = Verify(Log.Value, reported.Add);

        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(Records, verification.Records);
        Assert.Equal(AuditChain.HeadOf(Encoding.UTF8.GetBytes(string.Join('\n', Log.Value) + "\n"), "log"), verification.Head);
        Assert.NotEmpty(reported);
        Assert.Equal(reported.Order(), reported);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9_999)]
    [InlineData(29_999)]
    public void An_edited_record_deep_in_the_log_is_named(int line)
    {
        var lines = (string[])Log.Value.Clone();
        lines[line - 1] = lines[line - 1].Replace("octocat", "mallory", StringComparison.Ordinal);

        var verification = Verify(lines);

        Assert.False(verification.Intact);
        Assert.Equal(line, verification.BadLine);
        Assert.Equal(line - 1, verification.Records);
        Assert.Contains($"record {line} (line {line}) no longer matches", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_and_a_reordered_record_far_apart_are_named_by_reading_on()
    {
        var deleted = Log.Value.Where((_, i) => i != 14_000).ToArray();
        var verification = Verify(deleted);
        Assert.Equal((14_001, "record 14001 is missing before line 14001 (which holds record 14002): a record was deleted"), (verification.BadLine, verification.Problem));

        // Record 100 moved to the end: found 29,900 lines (many blocks) later.
        var moved = Log.Value.Where((_, i) => i != 99).Append(Log.Value[99]).ToArray();
        verification = Verify(moved);
        Assert.Equal((100, $"line 100 holds record 101 where record 100 belongs; record 100 is at line {Records}: records were reordered"), (verification.BadLine, verification.Problem));
    }

    [Fact]
    public void A_repeated_record_far_after_the_first_is_named_by_reading_again_from_the_start()
    {
        var repeated = Log.Value.Take(20_000).Append(Log.Value[4]).ToArray();

        var verification = Verify(repeated);

        Assert.Equal((20_001, "line 20001 repeats record number 5 (first at line 5): a record was inserted"), (verification.BadLine, verification.Problem));
    }
}
