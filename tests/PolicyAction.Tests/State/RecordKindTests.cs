using System.Text;
using PolicyAction.State;

namespace PolicyAction.Tests.State;

public sealed class RecordKindTests
{
    [Theory]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00+00:00","event":"response_started","mode":"apply","seq":7}""", "response_started", "apply")]
    [InlineData("""{"mode":{"mode":"x"},"blocked_by":["a",{"event":"no"}],"timestamp":"2026-11-24T05:00:00Z","event":"response_blocked"}  """, "response_blocked", null)]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"\u006cevel_changed"}""", "level_changed", null)]
    public void A_record_yields_its_time_event_and_mode(string line, string eventName, string? mode)
    {
        Assert.True(RecordKind.TryRead(Encoding.UTF8.GetBytes(line), out var kind));

        Assert.Equal((DateTimeOffset.Parse("2026-11-24T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture), eventName, mode), (kind.Timestamp, kind.Event, kind.Mode));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x","seq":1""", "torn")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x"} {}""", "a second value")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x"}junk""", "trailing junk")]
    [InlineData("""{"event":"x"}""", "no timestamp")]
    [InlineData("""{"timestamp":"yesterday","event":"x"}""", "a timestamp that is not a date")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z"}""", "no event")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":{"event":"x"}}""", "an event that is not text")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x",}""", "a trailing comma")]
    [InlineData("""{"timestamp":"2026-11-24T05:00:00Z","event":"x","seq":"7"}""", "seq as text")]
    public void A_line_that_is_not_a_record_is_refused(string line, string because)
    {
        Assert.False(RecordKind.TryRead(Encoding.UTF8.GetBytes(line), out _), because);
    }

    [Theory]
    [InlineData("event")]
    [InlineData("mode")]
    public void Text_that_is_not_utf8_is_refused_not_thrown(string field)
    {
        byte[] line = [.. """{"timestamp":"2026-11-24T05:00:00Z","event":"x","""u8, .. Encoding.UTF8.GetBytes($"\"{field}\":\""), 0xC0, 0x41, .. "\"}"u8];

        Assert.False(RecordKind.TryRead(line, out _));
    }
}
