using System.Text;
using PolicyAction.State;

namespace PolicyAction.Tests.State;

public sealed class ChainFieldsTests
{
    private const string Prev = "ab01000000000000000000000000000000000000000000000000000000000000";

    [Theory]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00+00:00","event":"level_changed","seq":7,"prev":"ab01000000000000000000000000000000000000000000000000000000000000"}""", 7L, true, false)]
    [InlineData("""{"seq":1,"blocked_by":["a",{"seq":9}],"detail":{"prev":"x"},"timestamp":"2026-11-24T05:00:00Z","event":"torn_record_noted","prev":"ab01000000000000000000000000000000000000000000000000000000000000"}  """, 1L, true, true)]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"level_changed"}""", null, false, false)]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"level_changed","seq":null,"prev":null}""", null, false, false)]
    public void A_record_yields_what_the_chain_needs(string line, long? seq, bool hasPrev, bool tornNoted)
    {
        var bytes = Encoding.UTF8.GetBytes(line);

        Assert.True(ChainFields.TryRead(bytes, out var fields));

        Assert.Equal((seq, hasPrev, tornNoted), (fields.Seq, fields.HasPrev, fields.TornRecordNoted));
        if (hasPrev)
        {
            Assert.Equal(Prev, Encoding.UTF8.GetString(bytes.AsSpan(fields.PrevStart, fields.PrevLength)));
        }
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x","seq":1""", "torn")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x"} {}""", "a second value")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x"}junk""", "trailing junk")]
    [InlineData("""{"event":"x","seq":1,"prev":"00"}""", "no timestamp")]
    [InlineData("""{"timestamp":"yesterday","event":"x"}""", "a timestamp that is not a date")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z"}""", "no event")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":7}""", "an event that is not text")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x","seq":"7"}""", "seq as text")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x","seq":1.5}""", "a fractional seq")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x","prev":"\u0061b"}""", "an escaped prev (never written by the tool)")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x",}""", "a trailing comma")]
    public void A_line_that_is_not_a_record_is_refused(string line, string because)
    {
        Assert.False(ChainFields.TryRead(Encoding.UTF8.GetBytes(line), out _), because);
    }
}
