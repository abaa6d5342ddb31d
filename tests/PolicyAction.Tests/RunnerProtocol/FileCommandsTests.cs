using PolicyAction.RunnerProtocol;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.RunnerProtocol;

public sealed class FileCommandsTests : IDisposable
{
    private readonly TempWorkspace _folder = new();

    private string OutputFile => _folder.PathOf("github_output");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("response-id", "0b6f7a0e")]
    [InlineData("issue-urls", "https://x/1\nhttps://x/2")]
    [InlineData("empty", "")]
    [InlineData("unicode", "naïve — ✓")]
    public void Outputs_are_appended_as_heredocs_with_a_random_delimiter(string name, string value)
    {
        File.WriteAllText(OutputFile, "earlier<<EOF\nx\nEOF\n");

        FileCommands.AppendKeyValue(OutputFile, name, value);

        var bytes = File.ReadAllBytes(OutputFile);
        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        var lines = File.ReadAllText(OutputFile).Split('\n');
        Assert.Equal("earlier<<EOF", lines[0]);
        Assert.Matches($"^{name}<<ghadelimiter_[0-9a-f-]{{36}}$", lines[3]);
        var delimiter = lines[3][(name.Length + 2)..];
        var valueLines = lines.Skip(4).TakeWhile(l => l != delimiter);
        Assert.Equal(value, string.Join('\n', valueLines));
    }

    [Fact]
    public void A_value_containing_the_delimiter_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => FileCommands.AppendKeyValue(OutputFile, "x", "a\nDELIM\nb", "DELIM"));
        Assert.False(File.Exists(OutputFile));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\nb")]
    [InlineData("a<<b")]
    [InlineData("a=b")]
    public void Invalid_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => FileCommands.AppendKeyValue(OutputFile, name, "v"));
}
