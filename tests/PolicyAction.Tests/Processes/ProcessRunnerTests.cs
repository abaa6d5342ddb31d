using System.Diagnostics;
using PolicyAction.Processes;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Processes;

public class ProcessRunnerTests
{
    private static ProcessSpec Shell(string script, TempWorkspace workspace, TimeSpan? timeout = null, Dictionary<string, string>? env = null, int maxChars = 64 * 1024) =>
        new("/bin/sh", ["-c", script], workspace.Root, env ?? new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, timeout ?? TimeSpan.FromSeconds(20), maxChars);

    [Fact]
    public async Task Captures_stdout_stderr_and_the_exit_code_and_streams_lines()
    {
        using var workspace = new TempWorkspace();
        var lines = new List<(string, string)>();

        var outcome = await new ProcessRunner().RunAsync(
            Shell("echo one; echo two >&2; echo three; exit 7", workspace),
            (stream, line) => { lock (lines) { lines.Add((stream, line)); } },
            CancellationToken.None);

        Assert.Equal(7, outcome.ExitCode);
        Assert.False(outcome.TimedOut);
        Assert.Equal("one\nthree\n", outcome.Stdout);
        Assert.Equal("two\n", outcome.Stderr);
        Assert.Contains(("stdout", "one"), lines);
        Assert.Contains(("stderr", "two"), lines);
        Assert.Contains(("stdout", "three"), lines);
    }

    [Fact]
    public async Task Output_lines_end_where_the_runners_do_at_LF_CR_and_CRLF()
    {
        using var workspace = new TempWorkspace();
        var lines = new List<string>();

        await new ProcessRunner().RunAsync(
            Shell("printf 'x\\r::set-output name=a::b\\r\\ny\\nz'", workspace),
            (_, line) => { lock (lines) { lines.Add(line); } },
            CancellationToken.None);

        Assert.Equal(["x", "::set-output name=a::b", "y", "z"], lines);
    }

    [Fact]
    public async Task Runs_in_the_working_directory_with_exactly_the_given_environment()
    {
        using var workspace = new TempWorkspace();

        var outcome = await new ProcessRunner().RunAsync(
            Shell("pwd; env | sort", workspace, env: new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["ONLY_THIS"] = "1" }),
            null,
            CancellationToken.None);

        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(workspace.Root, lines[0]);
        Assert.Contains("ONLY_THIS=1", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("HOME=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Arguments_are_passed_verbatim_never_through_a_shell()
    {
        using var workspace = new TempWorkspace();
        string[] hostile = ["a\";id;#", "$(id)", "`id`", "${IFS}x", "two words", "new\nline"];

        var outcome = await new ProcessRunner().RunAsync(
            new ProcessSpec("/usr/bin/printf", ["%s|", .. hostile], workspace.Root, new Dictionary<string, string>(), TimeSpan.FromSeconds(10), 4096),
            null,
            CancellationToken.None);

        Assert.Equal(string.Join('|', hostile) + "|", outcome.Stdout);
    }

    [Fact]
    public async Task A_timeout_kills_the_process_and_its_children()
    {
        using var workspace = new TempWorkspace();
        var stopwatch = Stopwatch.StartNew();

        var outcome = await new ProcessRunner().RunAsync(
            Shell("sleep 300 & echo $! > child.pid; wait", workspace, timeout: TimeSpan.FromSeconds(1)),
            null,
            CancellationToken.None);

        Assert.True(outcome.TimedOut);
        Assert.Null(outcome.ExitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
        var childPid = int.Parse(workspace.Read("child.pid").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await WaitUntilGone(childPid);
    }

    [Fact]
    public async Task A_timeout_kills_grandchildren_that_detached_into_their_own_session()
    {
        using var workspace = new TempWorkspace();

        // setsid puts the grandchild in a new session and process group: neither a tree walk nor a group kill reaches it.
        var outcome = await new ProcessRunner().RunAsync(
            Shell("setsid -f sh -c 'echo $$ > daemon.pid; exec sleep 300' </dev/null >/dev/null 2>&1; sleep 300", workspace, timeout: TimeSpan.FromSeconds(2)),
            null,
            CancellationToken.None);

        Assert.True(outcome.TimedOut);
        Assert.True(outcome.StraysKilled >= 1, $"killed {outcome.StraysKilled}");
        await WaitUntilGone(int.Parse(workspace.Read("daemon.pid").Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_action_that_exits_cannot_leave_a_double_forked_daemon_behind()
    {
        using var workspace = new TempWorkspace();

        // The classic double fork: the intermediate shell exits at once, so the daemon is reparented away from us.
        var outcome = await new ProcessRunner().RunAsync(
            Shell("sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & echo $! > daemon.pid' ; sleep 0.2; exit 0", workspace, timeout: TimeSpan.FromSeconds(30)),
            null,
            CancellationToken.None);

        Assert.Equal(0, outcome.ExitCode);
        Assert.True(outcome.StraysKilled == 1, $"killed {outcome.StraysKilled}");
        await WaitUntilGone(int.Parse(workspace.Read("daemon.pid").Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_sweep_spares_processes_that_do_not_carry_the_cookie()
    {
        using var workspace = new TempWorkspace();
        using var bystander = Process.Start(new ProcessStartInfo("/bin/sleep", "30") { UseShellExecute = false })!;

        var outcome = await new ProcessRunner().RunAsync(Shell("exit 0", workspace, timeout: TimeSpan.FromSeconds(30)), null, CancellationToken.None);

        Assert.Equal(0, outcome.StraysKilled);
        Assert.False(bystander.HasExited);
        bystander.Kill();
    }

    [Fact]
    public async Task Captured_output_is_bounded_and_marked_as_truncated()
    {
        using var workspace = new TempWorkspace();

        var outcome = await new ProcessRunner().RunAsync(
            Shell("i=0; while [ $i -lt 5000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done", workspace, maxChars: 4096),
            null,
            CancellationToken.None);

        Assert.Equal(0, outcome.ExitCode);
        Assert.True(outcome.OutputTruncated);
        Assert.True(outcome.Stdout.Length < 4096 + 200, $"kept {outcome.Stdout.Length} chars");
        Assert.StartsWith("[... earlier output truncated", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("line-4999-", outcome.Stdout, StringComparison.Ordinal);
        Assert.True(outcome.StdoutTruncated);
    }

    [Fact]
    public async Task Truncated_stderr_leaves_stdout_whole_and_says_which_stream_lost_its_start()
    {
        using var workspace = new TempWorkspace();

        var outcome = await new ProcessRunner().RunAsync(
            Shell("i=0; while [ $i -lt 5000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx >&2; i=$((i+1)); done; echo 7", workspace, maxChars: 4096),
            null,
            CancellationToken.None);

        Assert.True(outcome.OutputTruncated);
        Assert.False(outcome.StdoutTruncated);
        Assert.Equal("7\n", outcome.Stdout);
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_an_outcome_not_an_exception()
    {
        using var workspace = new TempWorkspace();
        workspace.Write("not-executable", "#!/bin/sh\necho hi\n");

        var outcome = await new ProcessRunner().RunAsync(
            new ProcessSpec(workspace.PathOf("not-executable"), [], workspace.Root, new Dictionary<string, string>(), TimeSpan.FromSeconds(5), 1024),
            null,
            CancellationToken.None);

        Assert.NotNull(outcome.StartError);
        Assert.Null(outcome.ExitCode);
    }

    private static async Task WaitUntilGone(int pid)
    {
        for (var i = 0; i < 50; i++)
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z")
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"child process {pid} is still running after the timeout");
    }
}
