using PolicyAction.RunnerProtocol;

namespace PolicyAction.Tests.RunnerProtocol;

public class WorkflowCommandsTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("100%", "100%25")]
    [InlineData("a\nb", "a%0Ab")]
    [InlineData("a\r\nb", "a%0D%0Ab")]
    [InlineData("%0A", "%250A")]
    [InlineData("key: value, more", "key: value, more")]
    [InlineData("\n::set-output name=x::y", "%0A::set-output name=x::y")]
    public void EscapeData_escapes_percent_cr_and_lf(string input, string expected) =>
        Assert.Equal(expected, WorkflowCommands.EscapeData(input));

    [Theory]
    [InlineData("file.yml", "file.yml")]
    [InlineData("a:b", "a%3Ab")]
    [InlineData("a,b", "a%2Cb")]
    [InlineData("50%\n", "50%25%0A")]
    public void EscapeProperty_also_escapes_colon_and_comma(string input, string expected) =>
        Assert.Equal(expected, WorkflowCommands.EscapeProperty(input));

    [Fact]
    public void Annotations_carry_their_properties_in_order_and_skip_missing_ones()
    {
        Assert.Equal("::error title=Blocked%3A brake,file=.github/policy-response.yml,line=6::brake engaged%0Asince 05:00",
            WorkflowCommands.Error("brake engaged\nsince 05:00", "Blocked: brake", ".github/policy-response.yml", 6));
        Assert.Equal("::warning::just a message", WorkflowCommands.Warning("just a message"));
        Assert.Equal("::notice title=t::m", WorkflowCommands.Notice("m", "t"));
    }

    [Fact]
    public void Groups_masks_and_stop_commands_use_the_runner_syntax()
    {
        Assert.Equal("::group::Gate evaluation", WorkflowCommands.Group("Gate evaluation"));
        Assert.Equal("::endgroup::", WorkflowCommands.EndGroup());
        Assert.Equal("::add-mask::ghs_abc%25", WorkflowCommands.AddMask("ghs_abc%"));
        Assert.Equal("::stop-commands::tok", WorkflowCommands.StopCommands("tok"));
        Assert.Equal("::tok::", WorkflowCommands.ResumeCommands("tok"));
    }

    [Fact]
    public void Stop_tokens_are_unpredictable()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => WorkflowCommands.NewStopToken()).ToHashSet();
        Assert.Equal(100, tokens.Count);
        Assert.All(tokens, t => Assert.Matches("^policy-response-[0-9a-f]{32}$", t));
    }
}
