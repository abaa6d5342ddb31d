using PolicyAction.Output;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Output;

public sealed class ProgressLineTests
{
    [Theory]
    [InlineData(true, ProgressLine.MinimumBytes, true)]
    [InlineData(false, ProgressLine.MinimumBytes, false)]
    [InlineData(true, ProgressLine.MinimumBytes - 1, false)]
    public void Drawn_only_on_a_terminal_for_a_big_file(bool terminal, long size, bool drawn)
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("big.jsonl");
        using (var file = File.Create(path))
        {
            file.SetLength(size);   // sparse: costs no disk
        }

        using var progress = ProgressLine.ForFile(path, "verify-log", TextWriter.Null, terminal);

        Assert.Equal(drawn, progress is not null);
    }

    [Fact]
    public void Redraws_in_place_and_wipes_itself_at_the_end()
    {
        var output = new StringWriter();

        using (var progress = new ProgressLine(output, "verify-log", 300_000_000))
        {
            progress.Report(123_000_000);
            progress.Report(300_000_000);
        }

        Assert.Equal("\rverify-log:  41% of 300 MB\rverify-log: 100% of 300 MB\r                          \r", output.ToString());
    }
}
