using PolicyAction.RunnerProtocol;

namespace PolicyAction.Tests.RunnerProtocol;

public class ActionInputsTests
{
    private static ActionInputs With(string variable, string value) => new(new Dictionary<string, string> { [variable] = value });

    [Theory]
    [InlineData("auto-apply", "INPUT_AUTO-APPLY")]
    [InlineData("github-token", "INPUT_GITHUB-TOKEN")]
    [InlineData("plan digest", "INPUT_PLAN_DIGEST")]
    [InlineData("policy", "INPUT_POLICY")]
    public void VariableName_upper_cases_turns_spaces_to_underscores_and_keeps_hyphens(string input, string variable) =>
        Assert.Equal(variable, ActionInputs.VariableName(input));

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("FALSE", false)]
    [InlineData(" true ", true)]
    public void GetBoolean_accepts_the_six_yaml_spellings(string value, bool expected) =>
        Assert.Equal(expected, With("INPUT_AUTO-APPLY", value).GetBoolean("auto-apply", !expected));

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("tRUE")]
    [InlineData("on")]
    [InlineData("true\n::add-mask::x")]
    public void GetBoolean_rejects_anything_else_naming_the_input(string value)
    {
        var error = Assert.Throws<UsageException>(() => With("INPUT_AUTO-APPLY", value).GetBoolean("auto-apply", false));

        Assert.Contains("auto-apply", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_and_empty_inputs_take_the_default()
    {
        Assert.True(new ActionInputs(new Dictionary<string, string>()).GetBoolean("fail-on-blocked", true));
        Assert.False(With("INPUT_AUTO-APPLY", "").GetBoolean("auto-apply", false));
        Assert.Null(With("INPUT_POLICY", "  ").GetString("policy"));
        Assert.Equal("RED", With("INPUT_POLICY", " RED ").GetString("policy"));
    }

    [Fact]
    public void A_required_input_that_is_missing_is_an_error()
    {
        var error = Assert.Throws<UsageException>(() => new ActionInputs(new Dictionary<string, string>()).GetRequiredString("github-token"));
        Assert.Contains("github-token", error.Message, StringComparison.Ordinal);
    }
}
