using System.Diagnostics;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// The tool killed with SIGKILL in the middle of an apply: before, during and after each action (the action
/// itself kills the tool), and at a sweep of moments through the whole run (during log and undo writes too).
/// After every kill: the state parses, the log verifies, undo restores what the actions changed, and the next
/// run reports the interrupted response instead of applying on top of it.
/// </summary>
public sealed class CrashTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public CrashTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
    }

    private const string Original = "original\n";

    // Each action appends to the same file; a crash_point file names where an action kills the tool (its parent).
    private static string Action(string id, string text) =>
        $"""
            - id: {id}
              run: ["/bin/sh", "-c", "p=$(cat crash_point 2>/dev/null); [ \"$p\" = {id}:before ] && kill -9 $PPID && exit 0; printf {text[..2]} >> data/target.txt; [ \"$p\" = {id}:during ] && kill -9 $PPID && exit 0; printf {text[2..]} >> data/target.txt; [ \"$p\" = {id}:after ] && kill -9 $PPID; exit 0"]
              reversible:
                paths: ["data/target.txt"]
        """;

    private static readonly string Config = $"""
        version: 1
        levels:
          RED:
        {Action("first", "one-")}
        {Action("second", "two-")}
        {Action("third", "three")}
        """;

    public static TheoryData<string> ActionKillPoints()
    {
        var points = new TheoryData<string>();
        foreach (var action in new[] { "first", "second", "third" })
        {
            foreach (var when in new[] { "before", "during", "after" })
            {
                points.Add($"{action}:{when}");
            }
        }

        return points;
    }

    private static TempWorkspace Workspace() => new TempWorkspace().WithConfig(Config).Write("data/target.txt", Original);

    [Theory]
    [MemberData(nameof(ActionKillPoints))]
    public async Task Killed_by_an_action_the_next_run_reports_it_and_undo_restores_everything(string point)
    {
        using var workspace = Workspace();
        workspace.Write("crash_point", point);

        var crashed = await ProcessCli.RunAsync(workspace, "respond", "--policy", "RED", "--apply");

        Assert.True(crashed.ExitCode == 137, crashed.ToString());
        File.Delete(workspace.PathOf("crash_point"));
        await AssertRecoverable(workspace, expectInterrupted: true);
    }

    [Fact]
    public async Task Killed_at_a_sweep_of_moments_nothing_is_lost_or_applied_twice()
    {
        // One undisturbed run tells how long the response takes here, from its response_started record to its
        // response_finished; the kills are spread over that span (start-up is long and uninteresting, so it is skipped), and half as far again, since the poll sees the record late.
        TimeSpan applyPhase;
        using (var timing = Workspace())
        {
            Assert.False(await RunAndKill(timing, killAfter: null));
            var records = new AuditLog(timing.PathOf("state/policy_response_log.jsonl")).Read().Records;
            applyPhase = records.Single(r => r.Event == AuditEvents.ResponseFinished).Timestamp - records.Single(r => r.Event == AuditEvents.ResponseStarted).Timestamp;
        }

        var survived = 0;
        var interrupted = 0;
        const int Points = 16;
        for (var i = 0; i < Points; i++)
        {
            using var workspace = Workspace();
            var delay = TimeSpan.FromTicks(applyPhase.Ticks * 3 * i / (2 * Points));
            var killed = await RunAndKill(workspace, delay);
            var outcome = await AssertRecoverable(workspace, expectInterrupted: null);
            survived += killed ? 1 : 0;
            interrupted += outcome.StartsWith("interrupted", StringComparison.Ordinal) ? 1 : 0;
            _output.WriteLine($"kill {delay.TotalMilliseconds:0.0} ms after response_started (of {applyPhase.TotalMilliseconds:0} ms): {(killed ? outcome : "finished first")}");
        }

        // Enough points must really have interrupted a response, or the sweep proved nothing.
        _output.WriteLine($"{survived} of {Points} runs killed, {interrupted} in the middle of a response");
        Assert.True(interrupted >= Points / 3, $"only {interrupted} of {Points} kills landed inside a response");
    }

    /// <summary>Starts an apply, waits until its response_started record is on disk, then kills it after the delay (or lets it finish).</summary>
    /// <returns>Whether it was killed.</returns>
    private static async Task<bool> RunAndKill(TempWorkspace workspace, TimeSpan? killAfter)
    {
        var start = ProcessCli.StartInfo(workspace.Root, ["respond", "--policy", "RED", "--apply", "--workspace", workspace.Root]);
        start.Environment.Remove("POLICY_AUTO_APPLY");
        using var process = Process.Start(start)!;
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        var log = workspace.PathOf("state/policy_response_log.jsonl");
        while (!process.HasExited && !(File.Exists(log) && File.ReadAllText(log).Contains("response_started", StringComparison.Ordinal)))
        {
            await Task.Delay(1);
        }

        var killed = false;
        if (killAfter is { } delay)
        {
            var spin = Stopwatch.StartNew();
            while (spin.Elapsed < delay && !process.HasExited)
            {
                Thread.SpinWait(100);
            }

            killed = !process.HasExited;
            if (killed)
            {
                process.Kill();
            }
        }

        await process.WaitForExitAsync();
        await drain;
        return killed;
    }

    /// <param name="expectInterrupted">Whether the crash must have left an interrupted response; null when it depends on timing.</param>
    private static async Task<string> AssertRecoverable(TempWorkspace workspace, bool? expectInterrupted)
    {
        // The log verifies (a torn last line is a warning, not a break); the state files parse (the next run reads them all).
        var verify = await ProcessCli.RunAsync(workspace, "verify-log");
        Assert.True(verify.ExitCode == 0, verify.ToString());

        var log = new AuditLog(workspace.PathOf("state/policy_response_log.jsonl")).Read().Records;
        var started = log.Where(r => r.Event == AuditEvents.ResponseStarted).Select(r => r.ResponseId!.Value).ToArray();
        var finished = log.Any(r => r.Event == AuditEvents.ResponseFinished);
        var interrupted = started.Length == 1 && !finished;
        if (expectInterrupted is { } expected)
        {
            Assert.Equal(expected, interrupted);
        }

        if (!interrupted)
        {
            // Killed before anything started (nothing changed) or after it finished (all applied).
            Assert.Equal(started.Length == 0 ? Original : Original + "one-two-three", workspace.Read("data/target.txt"));
            return started.Length == 0 ? "killed before the response started" : "killed after it finished";
        }

        var id = started[0];
        var changed = workspace.Read("data/target.txt");

        // The gates say so too: the same list that blocks respond.
        var gates = await ProcessCli.RunAsync(workspace, "gates");
        Assert.True(gates.ExitCode == 3, gates.ToString());
        Assert.Contains("BLOCKED by interrupted_response", gates.Stdout, StringComparison.Ordinal);

        // The next run reports the interrupted response and applies nothing on top of it.
        var next = await ProcessCli.RunAsync(workspace, "respond", "--policy", "RED", "--apply");
        Assert.True(next.ExitCode == 3, next.ToString());
        Assert.Contains($"interrupted_response: response {id:D}", next.Stdout, StringComparison.Ordinal);
        Assert.Equal(changed, workspace.Read("data/target.txt"));

        // Undo restores what the actions changed, byte for byte, from the undo record written before each ran.
        // Killed before the undo record was written, nothing had run yet: a person acknowledges it instead.
        var settle = workspace.Exists($"state/policy_response_undo_{id:D}.json")
            ? await ProcessCli.RunAsync(workspace, "undo", id.ToString("D"), "--apply")
            : await ProcessCli.RunAsync(workspace, "acknowledge", id.ToString("D"), "--reason", "checked: nothing ran");
        if (settle.ExitCode == 2)
        {
            // Killed while an action ran, the record cannot say what the response left: undo refuses, changing
            // nothing, until a person who has looked at the file says --force.
            Assert.Contains("the record has no hash of what the response left", settle.Stderr, StringComparison.Ordinal);
            Assert.Equal(changed, workspace.Read("data/target.txt"));
            settle = await ProcessCli.RunAsync(workspace, "undo", id.ToString("D"), "--apply", "--force");
        }

        Assert.True(settle.ExitCode == 0, settle.ToString());

        Assert.Equal(Original, workspace.Read("data/target.txt"));

        // Settled: the next apply runs in full, once.
        var again = await ProcessCli.RunAsync(workspace, "respond", "--policy", "RED", "--apply");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(Original + "one-two-three", workspace.Read("data/target.txt"));
        Assert.Null(AuditLogVerifier.VerifyFile(workspace.PathOf("state/policy_response_log.jsonl")).Problem);
        return $"interrupted after {log.Count(r => r.Event == AuditEvents.ActionFinished)} action(s), reported, settled by {(settle.Stdout.Contains("acknowledged", StringComparison.Ordinal) ? "acknowledge" : "undo")}";
    }
}
