using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Workflows;

/// <summary>
/// .github/scripts/release-version.sh, run with bash as the release workflow's first job runs it: which tags release,
/// with what package version, which are pre-releases, and when the major tag v2 moves.
/// </summary>
public sealed class ReleaseVersionScriptTests
{
    private static Task<CliResult> Run(params string[] args) =>
        ExternalProcess.RunAsync("bash", [Path.Combine(RepositoryRoot.Path, ".github", "scripts", "release-version.sh"), .. args], RepositoryRoot.Path);

    private static Dictionary<string, string> Outputs(CliResult result) =>
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    [Theory]
    [InlineData("v2.5.1", "2.5.1", "false", "true")]
    [InlineData("v2.0.0", "2.0.0", "false", "true")]
    [InlineData("v2.10.23", "2.10.23", "false", "true")]
    [InlineData("v2.5.1-policy-auto", "2.5.1-policy-auto", "true", "false")]
    [InlineData("v2.6.0-rc.1", "2.6.0-rc.1", "true", "false")]
    public async Task A_release_tag_gives_its_version_and_only_a_release_without_suffix_moves_v2(string tag, string version, string prerelease, string moveMajor)
    {
        var result = await Run(tag);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            new Dictionary<string, string> { ["version"] = version, ["prerelease"] = prerelease, ["move-major"] = moveMajor },
            Outputs(result));
    }

    [Theory]
    [InlineData("v3.0.0")]
    [InlineData("v1.9.9")]
    [InlineData("v2")]
    [InlineData("v2.5")]
    [InlineData("v2.5.1.2")]
    [InlineData("v2.05.1")]
    [InlineData("v2.5.01")]
    [InlineData("v2.x.1")]
    [InlineData("2.5.1")]
    [InlineData("v2.5.1-")]
    [InlineData("v2.5.1-rc..1")]
    [InlineData("v2.5.1+build")]
    [InlineData("v2.5.1 ")]
    [InlineData("v2.5.1\nv2.5.2")]
    [InlineData("v2.*")]
    public async Task Any_other_tag_is_refused_with_nothing_written(string tag)
    {
        var result = await Run(tag);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("refusing", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v2.5.1", "true", "v2.5.0", "v2.4.9", "v2.5.1", "v1.99.0", "v2.6.0-rc.1", "v2")]
    [InlineData("v2.10.0", "true", "v2.9.0", "v2.10.0")]
    [InlineData("v2.4.3", "false", "v2.5.0", "v2.4.2")]
    [InlineData("v2.9.1", "false", "v2.10.0")]
    [InlineData("v2.6.0-rc.2", "false", "v2.5.0")]
    public async Task V2_moves_only_to_the_highest_release_without_suffix(string tag, string moveMajor, params string[] otherTags)
    {
        var result = await Run([tag, .. otherTags]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(moveMajor, Outputs(result)["move-major"]);
    }
}
