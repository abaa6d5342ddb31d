using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Documentation;

/// <summary>
/// README's rendered examples are copies of approved files: each sits between <c>&lt;!-- example: NAME --&gt;</c> and
/// <c>&lt;!-- /example --&gt;</c> and must equal its <c>.verified.md</c>, so the README cannot show what the tool no longer writes.
/// </summary>
public class ReadmeExamplesTests
{
    public static TheoryData<string, string> Examples { get; } = new()
    {
        { "alert-issue", "tests/PolicyAction.Tests/Alerts/AlertIssueTextTests.Issue_body_with_fix_branch.verified.md" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_readme_example_is_the_approved_text(string marker, string verified)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = $"<!-- example: {marker} -->\n";
        var from = readme.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"README.md has no {start.Trim()}");
        from += start.Length;
        var to = readme.IndexOf("<!-- /example -->", from, StringComparison.Ordinal);
        Assert.True(to >= 0, $"README.md's {start.Trim()} has no closing <!-- /example -->");

        var approved = File.ReadAllText(Path.Combine(RepositoryRoot.Path, verified)).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(approved.TrimEnd('\n'), readme[from..to].TrimEnd('\n'));
    }
}
