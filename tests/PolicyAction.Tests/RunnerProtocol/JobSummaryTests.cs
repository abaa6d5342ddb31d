using System.Text;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.Tests.RunnerProtocol;

public class JobSummaryTests
{
    [Fact]
    public void Renders_headings_paragraphs_tables_and_lists()
    {
        var markdown = new JobSummary()
            .Heading("Gates")
            .Table(["Gate", "Result"], [["trust_guard", "✅ pass"], ["safety_brake", "❌ block"]])
            .List(["one", "two"])
            .Paragraph("done")
            .Render();

        Assert.Equal(
            "## Gates\n\n| Gate | Result |\n| --- | --- |\n| trust_guard | ✅ pass |\n| safety_brake | ❌ block |\n\n- one\n- two\n\ndone\n\n",
            markdown);
    }

    [Theory]
    [InlineData("a|b", "a\\|b")]
    [InlineData("<script>", "&lt;script&gt;")]
    [InlineData("line1\nline2", "line1<br>line2")]
    [InlineData("back\\slash", "back\\\\slash")]
    public void Table_cells_cannot_break_the_table_or_inject_html(string input, string expected) =>
        Assert.Equal(expected, JobSummary.Cell(input));

    [Fact]
    public void Code_fences_outlast_any_backticks_inside()
    {
        var markdown = new JobSummary().Code("a ```` b").Render();
        Assert.StartsWith("`````\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_summary_over_the_limit_is_cut_on_a_line_with_a_visible_note()
    {
        var summary = new JobSummary();
        for (var i = 0; i < 5000; i++)
        {
            summary.Paragraph($"line {i} ✓ " + new string('x', 300));
        }

        var markdown = summary.Render();

        Assert.True(Encoding.UTF8.GetByteCount(markdown) <= JobSummary.RunnerLimitBytes);
        Assert.EndsWith(JobSummary.TruncationNote, markdown, StringComparison.Ordinal);
        Assert.Contains("line 0 ", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("line 4999 ", markdown, StringComparison.Ordinal);
        var beforeNote = markdown[..^JobSummary.TruncationNote.Length];
        Assert.EndsWith("x", beforeNote.TrimEnd('\n'), StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_limit_is_honoured_too()
    {
        var markdown = new JobSummary().Paragraph(new string('é', 10_000)).Paragraph("tail").Render(limitBytes: 4096);

        Assert.True(Encoding.UTF8.GetByteCount(markdown) <= 4096);
        Assert.EndsWith(JobSummary.TruncationNote, markdown, StringComparison.Ordinal);
    }
}
