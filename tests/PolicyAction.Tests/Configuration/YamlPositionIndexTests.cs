using PolicyAction.Configuration;
using YamlDotNet.Core;

namespace PolicyAction.Tests.Configuration;

public class YamlPositionIndexTests
{
    private static (long Line, long Column)? At(Mark? mark) => mark is { } m ? (m.Line, m.Column) : null;

    [Fact]
    public void A_path_names_a_key_a_value_or_a_list_item_and_falls_back_to_the_nearest_parent()
    {
        var index = YamlPositionIndex.Parse("version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\", \"-v\"]\n");

        Assert.Equal((4, 7), At(index.Find("levels.RED[0].id")));
        Assert.Equal((4, 11), At(index.FindValue("levels.RED[0].id")));
        Assert.Equal((5, 26), At(index.Find("levels.RED[0].run[1]")));
        Assert.Equal((5, 7), At(index.Find("levels.RED[0].run[2]")));
        Assert.Equal((4, 7), At(index.Find("levels.RED[0].timeout_seconds")));
        Assert.Equal((2, 1), At(index.Find("levels.YELLOW")));
        Assert.True(index.Has("levels.RED[0].run"));
        Assert.False(index.Has("levels.RED[1]"));
        Assert.Equal((1, 1), At(index.Find(string.Empty)));
    }

    [Fact]
    public void The_path_at_a_mark_is_the_key_there_else_the_deepest_value()
    {
        var index = YamlPositionIndex.Parse("version: 1\nlevels:\n  RED:\n    - id: x\n      run: [\"/bin/true\"]\n");

        Assert.Equal("levels.RED", index.PathAt(new Mark(0, 3, 3)));
        Assert.Equal("levels.RED[0].id", index.PathAt(new Mark(0, 4, 7)));
        Assert.Equal("levels.RED[0].run[0]", index.PathAt(new Mark(0, 5, 13)));
        Assert.Null(index.PathAt(new Mark(0, 9, 9)));
    }

    [Fact]
    public void A_key_that_holds_a_dot_or_a_bracket_is_found_by_its_path()
    {
        var index = YamlPositionIndex.Parse("a:\n  b: 1\na.b: 2\n\"c[0]\": 3\n");

        Assert.Equal((2, 3), At(index.Find("a.b")));
        Assert.Equal((4, 1), At(index.Find("c[0]")));
        Assert.Equal("c[0]", index.PathAt(new Mark(0, 4, 1)));
    }

    [Fact]
    public void Values_repeated_by_an_alias_are_found_at_each_place()
    {
        var index = YamlPositionIndex.Parse("a: &x {k: 1}\nb: *x\n");

        Assert.Equal((1, 8), At(index.Find("b.k")));
        Assert.Equal("a.k", index.PathAt(new Mark(0, 1, 8)));
    }

    [Fact]
    public void A_long_key_over_a_long_list_costs_no_path_per_value()
    {
        // Every item's path repeats the key: 20 000 paths of 10 000 characters would be 400 MB.
        var yaml = $"? {new string('k', 10_000)}\n: [{string.Join(",", Enumerable.Repeat("x", 20_000))}]\n";
        var before = GC.GetAllocatedBytesForCurrentThread();

        var index = YamlPositionIndex.Parse(yaml);
        var last = index.Find($"{new string('k', 10_000)}[19999]");

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal((2, 4 + (2 * 19_999)), At(last));
        Assert.True(allocated < 100_000_000, $"{allocated} bytes allocated");
    }
}
