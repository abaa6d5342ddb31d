using System.Diagnostics;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

public sealed class WorkspaceLockTests
{
    [Fact]
    public void A_held_lock_is_waited_for_a_bounded_time_then_refused_with_a_clear_message()
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("state/.policy-response.lock");
        using var held = WorkspaceLock.Acquire(path, TimeSpan.FromSeconds(1));
        var stopwatch = Stopwatch.StartNew();

        var error = Assert.Throws<PolicyActionException>(() => WorkspaceLock.Acquire(path, TimeSpan.FromMilliseconds(300)));

        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
        Assert.Contains("another policy-response is working on this workspace", error.Message, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_released_lock_is_taken_by_the_next_writer()
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("state/.policy-response.lock");
        WorkspaceLock.Acquire(path, TimeSpan.FromSeconds(1)).Dispose();

        using var next = WorkspaceLock.Acquire(path, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Two_processes_on_one_workspace_take_turns()
    {
        using var workspace = new TempWorkspace().WithConfig("""
            version: 1
            levels:
              RED:
                - id: slow
                  run: ["/bin/sleep", "2"]
            """);

        // The apply holds the lock while its action sleeps; the brake engaged meanwhile waits for it, then lands after it.
        var apply = ProcessCli.RunAsync(workspace, "respond", "--policy", "RED", "--apply");
        while (!(workspace.Exists("state/policy_response_log.jsonl") && workspace.Read("state/policy_response_log.jsonl").Contains("response_started", StringComparison.Ordinal)))
        {
            await Task.Delay(10);
        }

        var brake = await ProcessCli.RunAsync(workspace, "brake", "engage", "--reason", "meanwhile");
        var applied = await apply;

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.True(brake.ExitCode == 0, brake.ToString());
        var events = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl")).Read().Records.Select(r => r.Event).ToArray();
        Assert.Equal([AuditEvents.ResponseStarted, AuditEvents.ActionFinished, AuditEvents.ResponseFinished, AuditEvents.BrakeEngaged], events.Where(e => e != AuditEvents.LevelChanged));
        Assert.True(AuditLogVerifier.VerifyFile(workspace.PathOf("state/policy_response_log.jsonl")).Intact);
    }
}
