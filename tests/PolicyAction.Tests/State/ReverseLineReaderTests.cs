using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

public class ReverseLineReaderTests
{
    private static (string Line, bool Terminated)[] Read(string content)
    {
        using var workspace = new TempWorkspace();
        workspace.Write("f", content);
        using var stream = new FileStream(workspace.PathOf("f"), FileMode.Open, FileAccess.Read);
        return ReverseLineReader.Lines(stream).Select(l => (Encoding.UTF8.GetString(l.Line), l.Terminated)).ToArray();
    }

    [Theory]
    [InlineData("", new string[0], false)]
    [InlineData("a\n", new[] { "a" }, true)]
    [InlineData("a\nb\nc\n", new[] { "c", "b", "a" }, true)]
    [InlineData("a\nb\ntorn", new[] { "torn", "b", "a" }, false)]
    [InlineData("a\n\nb\n", new[] { "b", "", "a" }, true)]
    [InlineData("\n", new[] { "" }, true)]
    public void Yields_lines_newest_first_and_marks_a_torn_last_line(string content, string[] lines, bool lastTerminated)
    {
        var read = Read(content);

        Assert.Equal(lines, read.Select(r => r.Line));
        if (read.Length > 0)
        {
            Assert.Equal(lastTerminated, read[0].Terminated);
            Assert.All(read.Skip(1), r => Assert.True(r.Terminated));
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(200_000)]
    public void Lines_that_cross_block_boundaries_come_back_whole(int longLine)
    {
        var lines = new[] { "first", new string('x', longLine), "middle", new string('y', 70_000), "last" };

        var read = Read(string.Join('\n', lines) + "\n");

        Assert.Equal(lines.Reverse(), read.Select(r => r.Line));
    }
}
