using System.Text.RegularExpressions;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Documentation;

/// <summary>
/// README shows what the action writes (a job summary, an alert issue) as GitHub renders it, copied from the approval
/// files that pin that text: each example sits between <c>&lt;!-- example: NAME --&gt;</c> and
/// <c>&lt;!-- /example --&gt;</c>, quoted, and must be its approval file's text, so it cannot drift.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    /// <summary>Each README example and the approval file it shows, relative to tests/PolicyAction.Tests.</summary>
    public static TheoryData<string, string> Examples => new()
    {
        { "summary-dry-run", "ActionHost/ActionSummaryTests.Dry_run.verified.md" },
        { "alert-issue", "Alerts/AlertIssueTextTests.Issue_body_with_fix_branch.verified.md" },
    };

    private static string Readme => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>
    /// The approved text as README shows it: a quote ("&gt; " before each line, "&gt;" alone for an empty one), so it
    /// reads as an example and its headings stay out of README's own outline.
    /// </summary>
    public static string Quoted(string approved) =>
        string.Join('\n', approved.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Select(l => l.Length == 0 ? ">" : "> " + l));

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_README_example_is_its_approval_files_text(string name, string approvalFile)
    {
        var approved = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "PolicyAction.Tests", approvalFile));
        var marked = Example().Matches(Readme).Where(m => m.Groups["name"].Value == name).ToArray();

        Assert.True(marked.Length == 1, $"README has {marked.Length} examples between <!-- example: {name} --> and <!-- /example -->; it should have one");
        var expected = Quoted(approved);
        Assert.True(
            marked[0].Groups["text"].Value == expected,
            $"README's example '{name}' differs from {approvalFile}. Put this between <!-- example: {name} --> and <!-- /example -->:\n{expected}");
    }

    [Fact]
    public void Every_example_in_the_README_has_its_approval_file()
    {
        var known = Examples.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);

        var names = Example().Matches(Readme).Select(m => m.Groups["name"].Value).ToArray();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(known.Contains(name), $"README's example '{name}' has no row in {nameof(Examples)}: nothing keeps it from drifting"));
    }

    [GeneratedRegex(@"<!-- example: (?<name>[a-z0-9-]+) -->\n(?<text>.*?)\n<!-- /example -->", RegexOptions.Singleline)]
    private static partial Regex Example();
}
