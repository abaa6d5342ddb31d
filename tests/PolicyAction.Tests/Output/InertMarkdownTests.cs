using CsCheck;
using PolicyAction.Output;

namespace PolicyAction.Tests.Output;

/// <summary>Text from files goes into issues as one code span that nothing inside can close, break or turn live.</summary>
public sealed class InertMarkdownTests
{
    [Theory]
    [InlineData("drill", "`drill`")]
    [InlineData("ping @org/team", "`ping @org/team`")]
    [InlineData("![x](https://evil/t.png) [runbook](https://evil) <img src=x> https://evil", "`![x](https://evil/t.png) [runbook](https://evil) <img src=x> https://evil`")]
    [InlineData("a `b` c", "``a `b` c``")]
    [InlineData("``` fence", "```` ``` fence ````")]
    [InlineData("`", "`` ` ``")]
    [InlineData("line one\nline two\r\n\tend", "`line one line two   end`")]
    [InlineData(" both ", "`  both  `")]
    [InlineData("   ", "`   `")]
    [InlineData("", "")]
    public void A_span_holds_the_text_on_one_line_with_a_fence_longer_than_any_run_inside(string text, string expected)
    {
        Assert.Equal(expected, InertMarkdown.Code(text));
    }

    [Theory]
    [InlineData("a | b", "`a \\| b`")]
    [InlineData("a \\| b", "`a \\\\\\| b`")]
    [InlineData("| `x` |", "``\\| `x` \\|``")]
    public void A_cell_escapes_every_pipe_with_an_odd_number_of_backslashes(string text, string expected)
    {
        Assert.Equal(expected, InertMarkdown.Cell(text));
    }

    /// <summary>Text made mostly of what Markdown reads: backticks, backslashes, pipes, spaces, line breaks, mentions, links.</summary>
    private static readonly Gen<string> Hostile = Gen.OneOf(Gen.Char["`\\| \n\r\t@<>[]()!#:"], Gen.Char['a', 'z']).Array[0, 40].Select(c => new string(c));

    [Fact]
    public void Any_text_reads_back_as_itself_from_its_span_and_from_its_cell()
    {
        Hostile.Sample(text =>
        {
            var folded = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
            if (folded.Length == 0)
            {
                Assert.Equal(string.Empty, InertMarkdown.Cell(text));
                return;
            }

            Assert.Equal(folded, ReadSpan(InertMarkdown.Code(text)));

            // In a cell, every pipe is escaped however many backslashes stand before it, and once GFM has taken the
            // escapes off, the span reads back as the text, with the backslashes before a pipe doubled.
            var cell = InertMarkdown.Cell(text);
            for (var i = 0; i < cell.Length; i++)
            {
                if (cell[i] == '|')
                {
                    var backslashes = 0;
                    while (i - backslashes > 0 && cell[i - backslashes - 1] == '\\')
                    {
                        backslashes++;
                    }

                    Assert.True(backslashes % 2 == 1, $"an unescaped pipe in {cell}");
                }
            }

            Assert.Equal(System.Text.RegularExpressions.Regex.Replace(folded, @"(\\*)\|", "$1$1|"), ReadSpan(cell.Replace("\\|", "|", StringComparison.Ordinal)));
        }, iter: 2000);
    }

    /// <summary>What CommonMark reads from a text that must be exactly one code span: its content, or a failure.</summary>
    private static string ReadSpan(string span)
    {
        Assert.DoesNotContain('\n', span);
        var fence = span.TakeWhile(c => c == '`').Count();
        Assert.True(fence > 0 && span.Length >= 2 * fence && span[^fence..] == new string('`', fence) && span[^(fence + 1)] != '`', $"not fenced: {span}");
        var content = span[fence..^fence];

        // A run of exactly the fence's length inside would close the span early.
        foreach (System.Text.RegularExpressions.Match run in System.Text.RegularExpressions.Regex.Matches(content, "`+"))
        {
            Assert.True(run.Length != fence, $"closed early: {span}");
        }

        return content.Length >= 2 && content[0] == ' ' && content[^1] == ' ' && content.Any(c => c != ' ') ? content[1..^1] : content;
    }
}
