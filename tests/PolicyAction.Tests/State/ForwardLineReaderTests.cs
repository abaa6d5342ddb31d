using System.Text;
using PolicyAction.State;

namespace PolicyAction.Tests.State;

public sealed class ForwardLineReaderTests
{
    public static TheoryData<string, string[], bool> Inputs => new()
    {
        { "", [], true },
        { "a\n", ["a"], true },
        { "a\nb", ["a", "b"], false },
        { "\n\nc\n", ["", "", "c"], true },
        { "a\r\nb\r\n", ["a\r", "b\r"], true },
        { "0123456789abcdef\nshort\n", ["0123456789abcdef", "short"], true },
        { new string('x', 50) + "\n" + new string('y', 7), [new string('x', 50), new string('y', 7)], false },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Lines_come_out_whole_whatever_the_buffer_size(string text, string[] expected, bool lastTerminated)
    {
        // A 4-byte buffer makes every line cross a refill, and the 50-byte one grow the buffer.
        foreach (var bufferSize in new[] { 4, 5, 1 << 20 })
        {
            var reader = new ForwardLineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), bufferSize);
            var lines = new List<string>();
            var terminated = true;
            while (reader.TryReadLine(out var line, out var ended))
            {
                lines.Add(Encoding.UTF8.GetString(line));
                terminated = ended;
            }

            Assert.Equal(expected, lines);
            Assert.Equal(lastTerminated, terminated);
            Assert.Equal(Encoding.UTF8.GetByteCount(text), reader.Consumed);
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Blocks_hold_the_same_lines(string text, string[] expected, bool lastTerminated)
    {
        foreach (var bufferSize in new[] { 4, 5, 1 << 20 })
        {
            var reader = new ForwardLineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), bufferSize);
            var block = new List<LinePlace>();
            var lines = new List<(string Text, bool Terminated)>();
            while (reader.TryReadBlock(block))
            {
                Assert.NotEmpty(block);
                lines.AddRange(block.Select(p => (Encoding.UTF8.GetString(reader.Buffer, p.Start, p.Length), p.Terminated)));
            }

            Assert.Equal(expected, lines.Select(l => l.Text));
            Assert.All(lines.SkipLast(1), l => Assert.True(l.Terminated));
            Assert.Equal(lastTerminated, lines.Count == 0 || lines[^1].Terminated);
        }
    }
}
