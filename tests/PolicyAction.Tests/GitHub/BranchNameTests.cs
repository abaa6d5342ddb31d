using PolicyAction.Forge;
using PolicyAction.GitHub;

namespace PolicyAction.Tests.GitHub;

/// <summary>Branch names as git check-ref-format --branch judges them.</summary>
public sealed class BranchNameTests
{
    /// <summary>Names git accepts that look like shell, URL escapes or non-ASCII: they must be used exactly as given.</summary>
    public static TheoryData<string> StrangeButValidNames => ["a\";id;#", "$(id)", "`id`", "${IFS}x", "ops/%2e%2e/main", "release/ünïcode"];

    [Theory]
    [InlineData("main")]
    [InlineData("release/v2")]
    [InlineData("x.lockfile")]
    [MemberData(nameof(StrangeButValidNames))]
    public void Names_git_accepts_pass(string name) => Assert.Null(BranchName.Problem(name));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("two words", "a space")]
    [InlineData("x\n::set-output name=a::b", "control character")]
    [InlineData("tab\there", "control character")]
    [InlineData("x~1", "~")]
    [InlineData("x^", "~")]
    [InlineData("a:b", "~")]
    [InlineData("a?", "~")]
    [InlineData("a*", "~")]
    [InlineData("a[b", "~")]
    [InlineData("a\\b", "~")]
    [InlineData("a..b", "'..'")]
    [InlineData("refs/../../etc", "'..'")]
    [InlineData("x@{0}", "'@{'")]
    [InlineData("@", "'@'")]
    [InlineData("/leading", "starts with '/'")]
    [InlineData("trailing/", "ends with '/'")]
    [InlineData("a//b", "'//'")]
    [InlineData("ends.", "ends with '/' or '.'")]
    [InlineData("-option", "'-'")]
    [InlineData("ends.lock", "'.lock'")]
    [InlineData("a/.hidden", "starts with '.'")]
    public void Names_git_refuses_say_why(string name, string why) => Assert.Contains(why, BranchName.Problem(name), StringComparison.Ordinal);

    [Fact]
    public void A_refused_name_is_a_usage_error_naming_its_source_on_one_line()
    {
        var error = Assert.Throws<UsageException>(() => BranchName.Validate("x\n::error::y", "input 'commit-branch'"));

        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
        Assert.StartsWith("input 'commit-branch': 'x\\u000a::error::y' is not a valid branch name (", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
