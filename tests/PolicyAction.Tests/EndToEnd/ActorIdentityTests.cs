using System.Text.Json.Nodes;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.EndToEnd;

/// <summary>
/// Who the tool takes to be acting, through the built tool as a real process: in a runner (<c>GITHUB_ACTIONS=true</c>)
/// the <c>GITHUB_ACTOR</c> GitHub sets; anywhere else the operating-system user, with <c>GITHUB_ACTOR</c> kept as a claim.
/// </summary>
public sealed class ActorIdentityTests : IDisposable
{
    private const string Owner = "alice";

    private readonly TempWorkspace _workspace = ExampleWorkspace.Copy();

    public void Dispose() => _workspace.Dispose();

    /// <summary>The tool in a runner, as the workflow run <paramref name="actor"/> triggered.</summary>
    private Task<CliResult> InRunner(string actor, params string[] args) =>
        ProcessCli.RunAsync(_workspace.Root, new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_ACTOR"] = actor }, [.. args, "--workspace", _workspace.Root]);

    /// <summary>The tool on someone's machine, with every variable that could name a person set to the lock's owner.</summary>
    private Task<CliResult> OutsideARunnerClaiming(string actor, params string[] args) =>
        ProcessCli.RunAsync(
            _workspace.Root,
            new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = null, ["GITHUB_ACTOR"] = actor, ["USER"] = actor, ["LOGNAME"] = actor },
            [.. args, "--workspace", _workspace.Root]);

    private JsonNode[] Records() => [.. _workspace.AuditLines().Select(l => JsonNode.Parse(l)!)];

    private string LockId => JsonNode.Parse(_workspace.Read("state/trust_lock_state.json"))!["lock_id"]!.GetValue<string>();

    [Fact]
    public async Task Outside_a_runner_GITHUB_ACTOR_naming_the_owner_cannot_unlock_and_force_unlock_records_who_really_did()
    {
        Assert.Equal(0, (await InRunner(Owner, "trust", "lock", "--reason", "incident 42")).ExitCode);
        var lockId = LockId;

        var unlock = await OutsideARunnerClaiming(Owner, "trust", "unlock", "--reason", "it is mine");

        Assert.True(unlock.ExitCode == 2, unlock.ToString());
        Assert.Contains($"the lock was taken by {Owner}, not {Environment.UserName}", unlock.Stderr + unlock.Stdout, StringComparison.Ordinal);
        Assert.Contains($"'policy-response trust force-unlock --lock-id {lockId} --reason \"...\"'", unlock.Stderr + unlock.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", unlock.Stderr + unlock.Stdout, StringComparison.Ordinal);
        Assert.Equal(lockId, LockId);
        Assert.Equal(["trust_locked"], Records().Select(r => r["event"]!.GetValue<string>()));

        var force = await OutsideARunnerClaiming(Owner, "trust", "force-unlock", "--lock-id", lockId, "--reason", "alice asked by phone");

        Assert.True(force.ExitCode == 0, force.ToString());
        var forced = Records()[^1];
        Assert.Equal("trust_force_unlocked", forced["event"]!.GetValue<string>());
        Assert.Equal(Environment.UserName, forced["actor"]!.GetValue<string>());
        Assert.Equal(Owner, forced["claimed_actor"]!.GetValue<string>());
        Assert.Equal(lockId, forced["lock_id"]!.GetValue<string>());
        Assert.Equal(Environment.UserName, JsonNode.Parse(_workspace.Read("state/trust_lock_state.json"))!["unlocks"]![0]!["unlocked_by"]!.GetValue<string>());
        Assert.Equal(0, (await OutsideARunnerClaiming(Owner, "verify-log")).ExitCode);
    }

    [Fact]
    public async Task In_a_runner_GITHUB_ACTOR_is_the_actor()
    {
        Assert.Equal(0, (await InRunner(Owner, "trust", "lock", "--reason", "incident 42")).ExitCode);

        var unlock = await InRunner(Owner, "trust", "unlock", "--reason", "resolved");

        Assert.True(unlock.ExitCode == 0, unlock.ToString());
        Assert.All(Records(), r => Assert.Equal(Owner, r["actor"]!.GetValue<string>()));
        Assert.All(Records(), r => Assert.Null(r["claimed_actor"]));
    }
}
