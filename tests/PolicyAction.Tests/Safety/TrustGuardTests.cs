using Microsoft.Extensions.Time.Testing;
using PolicyAction.Output;
using PolicyAction.Safety;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Safety;

public sealed class TrustGuardTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();
    private readonly FakeTimeProvider _clock = new(CliHarness.Now);
    private readonly StringWriter _output = new();

    private StateStore Store => new(new WorkspacePaths(_workspace.Root));

    public void Dispose()
    {
        _workspace.Dispose();
        _output.Dispose();
    }

    /// <summary>The guard as run by this operating-system user, outside a runner, with these variables.</summary>
    private TrustGuard As(string actor, Dictionary<string, string>? variables = null) =>
        new(Store, _clock, new Reporter(_output, _output), RunContext.FromVariables(variables ?? [], actor));

    [Fact]
    public void Lock_records_who_when_why_and_a_lock_id_and_logs_it()
    {
        As("alice").Lock("  incident 42  ");

        var state = Store.ReadTrust();
        Assert.True(state.Locked);
        Assert.Equal(("alice", "incident 42", CliHarness.Now), (state.LockedBy, state.Reason, state.LockedAt!.Value));
        Assert.True(Guid.TryParse(state.LockId, out _));
        var record = Assert.Single(Store.AuditLog.Read().Records);
        Assert.Equal((AuditEvents.TrustLocked, state.LockId), (record.Event, record.LockId));
    }

    [Fact]
    public void Unlock_releases_your_own_lock_and_records_the_unlock()
    {
        As("alice").Lock("incident");
        _clock.Advance(TimeSpan.FromMinutes(30));

        As("alice").Unlock("resolved");

        var state = Store.ReadTrust();
        Assert.False(state.Locked);
        var unlock = Assert.Single(state.Unlocks);
        Assert.Equal(("alice", "resolved", false, CliHarness.Now.AddMinutes(30)), (unlock.UnlockedBy, unlock.Reason, unlock.Forced, unlock.UnlockedAt));
        Assert.Equal(AuditEvents.TrustUnlocked, Store.AuditLog.Read().Records[^1].Event);
    }

    [Fact]
    public void Unlock_refuses_someone_elses_lock_and_points_to_force_unlock()
    {
        As("alice").Lock("incident");

        var error = Assert.Throws<UsageException>(() => As("bob").Unlock("mine now"));

        Assert.Contains("force-unlock --lock-id", error.Message, StringComparison.Ordinal);
        Assert.True(Store.ReadTrust().Locked);
    }

    [Fact]
    public void Outside_a_runner_naming_the_owner_in_GITHUB_ACTOR_does_not_release_their_lock()
    {
        As("alice").Lock("incident");

        var error = Assert.Throws<UsageException>(() => As("mallory", new() { ["GITHUB_ACTOR"] = "alice" }).Unlock("mine now"));

        Assert.Contains("the lock was taken by alice, not mallory", error.Message, StringComparison.Ordinal);
        Assert.Contains("GITHUB_ACTOR=alice is recorded, not trusted", error.Message, StringComparison.Ordinal);
        Assert.Contains($"force-unlock --lock-id {Store.ReadTrust().LockId}", error.Message, StringComparison.Ordinal);
        Assert.True(Store.ReadTrust().Locked);
        Assert.Single(Store.AuditLog.Read().Records);
    }

    [Fact]
    public void A_force_unlock_outside_a_runner_records_the_operating_system_user_and_the_claimed_actor()
    {
        As("alice").Lock("incident");

        As("mallory", new() { ["GITHUB_ACTOR"] = "alice" }).ForceUnlock(Store.ReadTrust().LockId!, "override");

        var record = Store.AuditLog.Read().Records[^1];
        Assert.Equal((AuditEvents.TrustForceUnlocked, "mallory", "alice"), (record.Event, record.Actor, record.ClaimedActor));
        Assert.Equal("mallory", Store.ReadTrust().Unlocks.Single().UnlockedBy);
    }

    [Fact]
    public void In_a_runner_GITHUB_ACTOR_is_the_actor_and_releases_its_own_lock()
    {
        var runner = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_ACTOR"] = "alice" };
        As("runner", runner).Lock("incident");

        As("runner", runner).Unlock("resolved");

        Assert.False(Store.ReadTrust().Locked);
        Assert.All(Store.AuditLog.Read().Records, r => Assert.Equal(("alice", null), (r.Actor, r.ClaimedActor)));
    }

    [Fact]
    public void Force_unlock_needs_the_current_lock_id()
    {
        As("alice").Lock("incident");
        var lockId = Store.ReadTrust().LockId!;

        Assert.Throws<UsageException>(() => As("bob").ForceUnlock("wrong-id", "override"));
        Assert.True(Store.ReadTrust().Locked);

        As("bob").ForceUnlock(lockId, "manual-override");

        var state = Store.ReadTrust();
        Assert.False(state.Locked);
        var unlock = Assert.Single(state.Unlocks);
        Assert.True(unlock.Forced);
        Assert.Equal((lockId, "bob"), (unlock.LockId, unlock.UnlockedBy));
        Assert.Equal(AuditEvents.TrustForceUnlocked, Store.AuditLog.Read().Records[^1].Event);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Every_change_needs_a_reason(string reason)
    {
        Assert.Throws<UsageException>(() => As("alice").Lock(reason));
        Assert.False(_workspace.Exists("state/trust_lock_state.json"));
        As("alice").Lock("ok");
        Assert.Throws<UsageException>(() => As("alice").Unlock(reason));
        Assert.Throws<UsageException>(() => As("bob").ForceUnlock(Store.ReadTrust().LockId!, reason));
        Assert.True(Store.ReadTrust().Locked);
    }

    [Fact]
    public void Locking_twice_changes_nothing()
    {
        As("alice").Lock("first");
        var before = _workspace.ReadBytes("state/trust_lock_state.json");

        As("bob").Lock("second");

        Assert.Equal(before, _workspace.ReadBytes("state/trust_lock_state.json"));
        Assert.Single(Store.AuditLog.Read().Records);
    }

    [Theory]
    [InlineData("""{"locked": true, "lock_id": "x", "locked_by": "alice", "reason": "by hand"}""")]
    [InlineData("""{"locked": true, "lock_id": "x", "locked_by": "alice", "reason": "by hand", "unlocks": null}""")]
    public void A_lock_written_by_hand_without_an_unlock_history_unlocks_and_starts_one(string file)
    {
        _workspace.Write("state/trust_lock_state.json", file);
        Assert.Empty(Store.ReadTrust().Unlocks);

        As("alice").Unlock("done");

        Assert.Equal("alice", Store.ReadTrust().Unlocks.Single().UnlockedBy);
        Assert.False(Store.ReadTrust().Locked);
    }
}
