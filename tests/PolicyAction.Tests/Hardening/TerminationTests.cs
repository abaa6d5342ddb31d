using System.Diagnostics;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// Nothing keeps the tool from ending: a FIFO at a reversible path is refused before it is opened (a plain open()
/// waited forever while the tool held the workspace lock), and SIGTERM ends the real tool promptly, with the audit
/// log still verifying, whether it waits for the workspace lock or for a long action.
/// </summary>
public sealed class TerminationTests : IDisposable
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task A_fifo_at_a_reversible_path_is_refused_at_once_naming_it_and_the_action_does_not_run()
    {
        _workspace.WithConfig("""
            version: 1
            levels:
              RED:
                - id: mirror
                  run: ["/usr/bin/touch", "applied.marker"]
                  reversible:
                    paths: ["mirrors/pipe"]
            """);
        Directory.CreateDirectory(_workspace.PathOf("mirrors"));
        Assert.Equal(0, (await ExternalProcess.RunAsync("mkfifo", [_workspace.PathOf("mirrors/pipe")], _workspace.Root)).ExitCode);

        // On a thread of its own: without the fix, open() of the FIFO never returns.
        var result = await Task.Run(() => CliHarness.RunAsync(_workspace, "respond", "--policy", "RED", "--apply")).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("action mirror was not run: reversible path 'mirrors/pipe' is not a regular file (a FIFO, a device or a socket)", result.Stderr, StringComparison.Ordinal);
        Assert.False(_workspace.Exists("applied.marker"), result.ToString());
        Assert.True((await CliHarness.RunAsync(_workspace, "verify-log")).ExitCode == 0);
    }

    [Fact]
    public async Task Sigterm_ends_the_tool_promptly_while_it_waits_for_the_workspace_lock()
    {
        _workspace.WithConfig(TempWorkspace.MinimalConfig);
        using var held = WorkspaceLock.Acquire(_workspace.PathOf("state/.policy-response.lock"), TimeSpan.FromSeconds(5), _workspace.Root);
        using var process = Start();
        var drain = Drain(process);

        // Started and waiting: the lock is held for 30 s at most before the tool gives up on its own.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(process.HasExited, process.HasExited ? (await drain).ToString() : null);
        var elapsed = await Terminate(process);

        var result = await drain;
        Assert.True(elapsed < Prompt, $"exited {elapsed} after SIGTERM\n{result}");
        Assert.Contains("cancelled", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_workspace.AuditLines());
    }

    [Fact]
    public async Task Sigterm_ends_the_tool_promptly_while_an_action_runs_and_the_log_still_verifies()
    {
        _workspace.WithConfig("""
            version: 1
            levels:
              RED:
                - id: long
                  run: ["/bin/sleep", "120"]
            """);
        using var process = Start();
        var drain = Drain(process);
        var log = _workspace.PathOf("state/policy_response_log.jsonl");
        var waited = Stopwatch.StartNew();
        while (!process.HasExited && !(File.Exists(log) && File.ReadAllText(log).Contains("response_started", StringComparison.Ordinal)) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(process.HasExited, process.HasExited ? (await drain).ToString() : null);
        var elapsed = await Terminate(process);

        var result = await drain;
        Assert.True(elapsed < Prompt, $"exited {elapsed} after SIGTERM\n{result}");
        var verify = await ProcessCli.RunAsync(_workspace, "verify-log");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    private Process Start()
    {
        var start = ProcessCli.StartInfo(_workspace.Root, ["respond", "--policy", "RED", "--apply", "--workspace", _workspace.Root]);
        start.Environment.Remove("POLICY_AUTO_APPLY");
        start.Environment.Remove("GITHUB_WORKSPACE");
        start.Environment["GITHUB_ACTOR"] = "octocat";
        return Process.Start(start)!;
    }

    private static async Task<CliResult> Drain(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Sends SIGTERM and waits for the exit; a tool still running a minute later is killed and the test fails.</summary>
    private static async Task<TimeSpan> Terminate(Process process)
    {
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, (await ExternalProcess.RunAsync("/bin/bash", ["-c", $"kill -TERM {process.Id}"], "/")).ExitCode);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        return clock.Elapsed;
    }
}
