using PolicyAction.RunnerProtocol;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.RunnerProtocol;

public class CommandLinesTests
{
    [Theory]
    [InlineData("plain text", false)]
    [InlineData("a::b in a line", false)]
    [InlineData("::error::x", true)]
    [InlineData("  \t::error::x", true)]
    [InlineData("\u00A0::error::x", true)]
    [InlineData("first\n::error::x", true)]
    [InlineData("first\r::error::x", true)]
    [InlineData("first\r\n::error::x", true)]
    [InlineData("mid ##[error]x", true)]
    [InlineData("##[", true)]
    [InlineData("#[error]x and # [x]", false)]
    public void MayIssueCommand_agrees_with_the_runners_parser(string text, bool issues)
    {
        Assert.Equal(issues, CommandLines.MayIssueCommand(text));

        // Where the runner's own rules find a registered command, the detector must too.
        if (RunnerCommandParser.Parse(text).Count > 0)
        {
            Assert.True(CommandLines.MayIssueCommand(text));
        }
    }

    [Theory]
    [InlineData("sha256:abc\nCo-authored-by: M <m@x>", "sha256:abc Co-authored-by: M <m@x>")]
    [InlineData("a\r\nb\u2028c\u0085d\te", "a  b c d e")]
    [InlineData("", "")]
    public void OneLine_leaves_no_line_break_or_control_character(string value, string expected) =>
        Assert.Equal(expected, CommandLines.OneLine(value));
}
