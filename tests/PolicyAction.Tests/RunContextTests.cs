namespace PolicyAction.Tests;

/// <summary>Who the tool takes to be acting: GitHub's word in a runner, the operating system's anywhere else.</summary>
public sealed class RunContextTests
{
    [Theory]
    [InlineData(null, "alice", "root", "alice")]
    [InlineData("false", "alice", "root", "alice")]
    [InlineData("TRUE", "alice", "root", "alice")]
    [InlineData("", "alice", "root", "alice")]
    [InlineData(null, null, "root", null)]
    [InlineData(null, "  ", "root", null)]
    [InlineData("true", "alice", "alice", null)]
    [InlineData("true", null, "root", null)]
    [InlineData("true", "", "root", null)]
    public void Outside_a_runner_the_actor_is_the_operating_system_user_and_GITHUB_ACTOR_only_a_claim(string? githubActions, string? githubActor, string actor, string? claimed)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (githubActions is not null)
        {
            variables["GITHUB_ACTIONS"] = githubActions;
        }

        if (githubActor is not null)
        {
            variables["GITHUB_ACTOR"] = githubActor;
        }

        var context = RunContext.FromVariables(variables, "root");

        Assert.Equal((actor, claimed), (context.Actor, context.ClaimedActor));
        Assert.Equal(githubActions == "true", context.InRunner);
    }

    [Fact]
    public void The_operating_system_user_is_the_accounts_name()
    {
        // USER and LOGNAME, which anyone sets, are not read: see the process test in ActorIdentityTests.
        Assert.Equal(Environment.UserName, OperatingSystemUser.Name);
        Assert.NotEmpty(OperatingSystemUser.Name);
        Assert.Equal(OperatingSystemUser.Name, RunContext.FromVariables(new Dictionary<string, string> { ["GITHUB_ACTOR"] = "alice" }).Actor);
    }
}
