using PolicyAction.Processes;

namespace PolicyAction.Tests.Processes;

public class ChildEnvironmentTests
{
    [Theory]
    [InlineData("GITHUB_TOKEN", false)]
    [InlineData("github_token", false)]
    [InlineData("GH_TOKEN", false)]
    [InlineData("INPUT_GITHUB-TOKEN", false)]
    [InlineData("INPUT_AUTO-APPLY", false)]
    [InlineData("ACTIONS_RUNTIME_TOKEN", false)]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_URL", false)]
    [InlineData("GITHUB_ENV", false)]
    [InlineData("GITHUB_OUTPUT", false)]
    [InlineData("GITHUB_PATH", false)]
    [InlineData("GITHUB_STATE", false)]
    [InlineData("GITHUB_STEP_SUMMARY", false)]
    [InlineData("PATH", true)]
    [InlineData("GITHUB_REPOSITORY", true)]
    [InlineData("HOME", true)]
    public void Secrets_and_runner_internals_are_not_inherited(string name, bool inherited) =>
        Assert.Equal(inherited, ChildEnvironment.IsInherited(name));

    [Fact]
    public void Build_filters_the_parent_and_adds_the_extras()
    {
        var built = ChildEnvironment.Build(
            new Dictionary<string, string> { ["PATH"] = "/bin", ["GITHUB_TOKEN"] = "ghs_secret", ["INPUT_X"] = "1" },
            new Dictionary<string, string> { ["POLICY_LEVEL"] = "RED" });

        Assert.Equal(new Dictionary<string, string> { ["PATH"] = "/bin", ["POLICY_LEVEL"] = "RED" }, built);
    }
}
