using PolicyAction.Output;

namespace PolicyAction.Tests.Output;

public class TextTableTests
{
    [Fact]
    public void Render_pads_columns_and_underlines_the_headers()
    {
        var text = TextTable.Render(["A", "BB"], [["xxx", "y"], ["z", "long cell"]]);

        Assert.Equal("A    BB\n---  ---------\nxxx  y\nz    long cell\n", text);
    }

    [Fact]
    public void Render_without_headers_prints_rows_only()
    {
        Assert.Equal("key     value\nlonger  v\n", TextTable.Render(null, [["key", "value"], ["longer", "v"]]));
    }

    [Theory]
    [InlineData(new[] { "/bin/cp", "a", "b" }, "/bin/cp a b")]
    [InlineData(new[] { "/bin/echo", "two words" }, "/bin/echo 'two words'")]
    [InlineData(new[] { "/bin/echo", "it's" }, "/bin/echo 'it'\\''s'")]
    [InlineData(new[] { "/bin/echo", "$(id)" }, "/bin/echo '$(id)'")]
    [InlineData(new[] { "/bin/echo", "" }, "/bin/echo ''")]
    [InlineData(new[] { "/bin/echo", "a\n::add-mask::x" }, "/bin/echo $'a\\n::add-mask::x'")]
    [InlineData(new[] { "/bin/echo", "tab\there's\\" }, "/bin/echo $'tab\\there\\'s\\\\'")]
    public void Quote_shows_an_argv_as_a_shell_user_would_read_it(string[] argv, string expected) =>
        Assert.Equal(expected, TextTable.Quote(argv));
}
