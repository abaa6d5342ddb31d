using System.Diagnostics;
using PolicyAction.Tests.Configuration;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// A configuration built to exhaust the tool, through the real tool as a child process (a stack overflow or an out of
/// memory ends the whole process, which no in-process test would survive): each is refused with exit 2, naming the
/// file, line and column, in well under the time a runner would notice.
/// </summary>
public sealed class HostileConfigTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private static string Brackets(int bytes) => "version: 1\nlevels: " + new string('[', bytes / 2) + new string(']', bytes / 2) + "\n";

    [Theory]
    [InlineData("billion laughs", 7, 8, "expand to more than 10000 values")]
    [InlineData("80 KB of brackets", 2, 72, "nested more than 64 deep")]
    [InlineData("1 MB of brackets", 2, 72, "nested more than 64 deep")]
    [InlineData("an alias inside its own value", 2, 18, "does not repeat a value anchored before it")]
    [InlineData("a long key over a long list", 3, 3, "unknown key 'kkk")]
    public async Task A_configuration_built_to_exhaust_the_tool_is_refused_naming_file_line_and_column(string name, int line, int column, string words)
    {
        var yaml = name switch
        {
            "billion laughs" => YamlLimitsTests.BillionLaughs,
            "80 KB of brackets" => Brackets(80 * 1024),
            "1 MB of brackets" => Brackets(1_000_000),
            "a long key over a long list" => $"version: 1\nlevels: {{}}\n? {new string('k', 300_000)}\n: [{string.Join(",", Enumerable.Repeat("x", 300_000))}]\n",
            _ => "version: 1\nlevels: &l {RED: *l}\n",
        };
        _workspace.WithConfig(yaml);
        var watch = Stopwatch.StartNew();

        var result = await ProcessCli.RunAsync(_workspace, "respond", "--policy", "RED", "--apply");

        watch.Stop();
        Assert.True(result.ExitCode == 2, $"{name}: {result}");
        Assert.Contains($"{_workspace.ConfigPath}:{line}:{column}: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(words, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);

        // The tool's own start-up is most of this; the refusal itself takes milliseconds (YamlLimitsTests).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{name}: took {watch.Elapsed}");
    }
}
