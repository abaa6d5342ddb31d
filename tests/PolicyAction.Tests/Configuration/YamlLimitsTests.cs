using System.Diagnostics;
using PolicyAction.Configuration;

namespace PolicyAction.Tests.Configuration;

public class YamlLimitsTests
{
    private const string File = "/repo/.github/policy-response.yml";

    private static ConfigProblem Refused(string yaml) =>
        Assert.Single(Assert.Throws<ConfigurationException>(() => YamlLimits.Check(yaml, File)).Problems);

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>Nine anchors, each list nine aliases of the one before: 9^9 values once expanded, in under 500 bytes.</summary>
    internal static readonly string BillionLaughs =
        "version: 1\nlevels: {}\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + string.Concat("bcdefghi".Select((name, i) => $"{name}: &{name} [{string.Join(", ", Enumerable.Repeat($"*{"abcdefgh"[i]}", 9))}]\n"));

    [Fact]
    public void Lists_and_mappings_nested_64_deep_pass_and_65_are_refused_at_the_65th()
    {
        YamlLimits.Check($"x: {Nested(YamlLimits.MaxDepth - 1)}\n", File);

        var problem = Refused($"x: {Nested(YamlLimits.MaxDepth)}\n");

        Assert.Equal((1, 4 + YamlLimits.MaxDepth - 1), (problem.Line, problem.Column));
        Assert.Contains("nested more than 64 deep", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_nesting_counts_as_flow_nesting_does()
    {
        var yaml = string.Concat(Enumerable.Range(0, YamlLimits.MaxDepth + 1).Select(i => new string(' ', i) + "a:\n")) + new string(' ', YamlLimits.MaxDepth + 1) + "b: 1\n";

        var problem = Refused(yaml);

        Assert.Equal(YamlLimits.MaxDepth + 1, problem.Line);
    }

    [Theory]
    [InlineData(80 * 1024)]
    [InlineData(1024 * 1024)]
    public void Deep_brackets_are_refused_at_once_without_reading_the_rest(int bytes)
    {
        var watch = Stopwatch.StartNew();

        var problem = Refused(new string('[', bytes / 2) + new string(']', bytes / 2));

        Assert.Equal((1, YamlLimits.MaxDepth + 1), (problem.Line, problem.Column));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_billion_laughs_is_refused_at_the_alias_that_passes_the_limit()
    {
        Assert.True(BillionLaughs.Length < 500, $"{BillionLaughs.Length} bytes");

        var problem = Refused(BillionLaughs);

        // a is 10 values, b 91, c 820, d 7381: the aliases of b, c and d add 8289, the first *d passes 10000.
        Assert.Equal((7, 8), (problem.Line, problem.Column));
        Assert.Contains("aliases (here *d) expand to more than 10000 values", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_may_add_exactly_the_limit_in_values_and_not_one_more()
    {
        // A list of 99 scalars is 100 values: 100 aliases of it add 10000, one more alias of a scalar 10001.
        var anchors = $"s: &s x\na: &a [{string.Join(", ", Enumerable.Repeat("x", 99))}]\n";
        var aliases = string.Join(", ", Enumerable.Repeat("*a", 100));

        YamlLimits.Check($"{anchors}b: [{aliases}]\n", File);
        var problem = Refused($"{anchors}b: [{aliases}, *s]\n");

        Assert.Equal((3, 4 + aliases.Length + 3), (problem.Line, problem.Column));
        Assert.Contains("aliases (here *s) expand to more than 10000 values", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_that_would_nest_past_the_limit_is_refused_at_the_alias()
    {
        var problem = Refused($"a: &deep {Nested(40)}\nb: {new string('[', 30)}*deep{new string(']', 30)}\n");

        Assert.Equal((2, 34), (problem.Line, problem.Column));
        Assert.Contains("nested more than 64 deep", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: &a [x, *a]\n", 1, 11)]
    [InlineData("a: &a {k: *a}\n", 1, 11)]
    [InlineData("a: [*b]\nb: &b x\n", 1, 5)]
    [InlineData("a: *nowhere\n", 1, 4)]
    public void An_alias_to_its_own_value_or_to_a_later_or_missing_anchor_is_refused(string yaml, int line, int column)
    {
        var problem = Refused(yaml);

        Assert.Equal((File, line, column), (problem.File, problem.Line, problem.Column));
        Assert.Contains("does not repeat a value anchored before it", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Anchors_belong_to_their_own_document()
    {
        var problem = Refused("a: &a x\n---\nb: *a\n");

        Assert.Equal((3, 4), (problem.Line, problem.Column));
    }

    [Fact]
    public void A_YAML_syntax_error_is_left_to_the_caller()
    {
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => YamlLimits.Check("a: [\n", File));
    }
}
